"""The floor of the batch grader's pipeline: a minimal prototype doing the same work, nothing more.

Used by ``benchmarks/grading_costs.py`` (which says how the pipeline compares). A warm
interpreter (started as ``python -I grading_floor.py CONTROL_FD KIT_DIR PRIMER_JSON`` with
the sandbox's environment) warms up with the grader's own ``zygote.warm_up`` (NumPy,
matplotlib (Agg), IPython, the student kit) and compiles the release notebook's cells once. Per
submission it forks a process that execs the submission's cells in an IPython namespace
(their output captured), then, per exercise, forks an observer from that state; the
observer and the trusted side exchange frames in the order and of the sizes recorded from
the real pipeline, each a raw ndarray's bytes over the socketpair, decoded by a copy. No
isolation, no sealing, no stopping, no judging.
"""
import json
import os
import socket
import struct
import subprocess
import sys

FRAME = struct.Struct(">I")


def send_frame(sock, payload):
    sock.sendall(FRAME.pack(len(payload)) + payload)


def recv_exact(sock, size):
    chunks, missing = [], size
    while missing:
        chunk = sock.recv(min(missing, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def recv_frame(sock):
    return recv_exact(sock, FRAME.unpack(recv_exact(sock, 4))[0])


def array_bytes(size):
    """``size`` bytes made the way arrays cross the boundary (an ndarray's bytes)."""
    import numpy as np
    return np.ones(size, dtype=np.uint8).tobytes()


def as_array(payload):
    import numpy as np
    return np.frombuffer(payload, dtype=np.uint8).copy()


def zygote(control_fd, kit_dir, primer_file):
    """The prototype's warm interpreter: NumPy, matplotlib, IPython, the kit; a process per request."""
    import contextlib
    import importlib.util
    import io
    import signal
    sys.path[:0] = [kit_dir]
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    # the same warm state as the grader's zygote: its own warm_up (zygote.py imports only the
    # standard library at the top, so loading it from its file brings nothing else of the project)
    spec = importlib.util.spec_from_file_location(
        "grader_zygote", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                      "autograder", "batch", "zygote.py"))
    grader_zygote = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(grader_zygote)
    shell = grader_zygote.warm_up(kit_dir)
    import autograder
    autograder.check = lambda *args, **kwargs: None   # the notebook's checks do nothing when graded
    compiled = {}
    with open(primer_file) as primer:
        for source in json.load(primer):
            with contextlib.suppress(SyntaxError, ValueError):
                compiled[source] = compile(shell.transform_cell(source), "<cell>", "exec")
    control = socket.socket(fileno=control_fd)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    control.send(b"R")
    while True:
        try:
            _, fds, _, _ = socket.recv_fds(control, 16, 1)
        except OSError:
            return
        if not fds:
            return
        if os.fork() == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            sock = socket.socket(fileno=fds[0])
            try:
                for source in json.loads(recv_frame(sock)):
                    code = compiled.get(source)
                    out = io.StringIO()
                    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                        try:
                            exec(code or compile(shell.transform_cell(source), "<cell>", "exec"),
                                 shell.user_ns)
                        except BaseException:   # a cell's error ends that cell only, as when graded
                            pass
                send_frame(sock, b'{"event":"ready"}')
                while True:
                    request = recv_frame(sock)
                    plan = json.loads(request)
                    if os.fork() == 0:
                        for direction, size in plan["frames"]:
                            if direction == "out":
                                as_array(recv_frame(sock))
                            else:
                                send_frame(sock, array_bytes(size))
                        os._exit(0)
                    send_frame(sock, array_bytes(plan["forked"]))
                    os.wait()
            except (EOFError, OSError):
                pass
            finally:
                os._exit(0)
        os.close(fds[0])


def plan(frames):
    """(request padded to the recorded size, forked size, the observer's frames) per exercise,
    for exercises observed as usual (observer request out, forked in, then the exchange)."""
    plans = []
    for _, exchange in frames:
        if len(exchange) < 2 or exchange[0][0] != "out" or exchange[1][0] != "in":
            continue
        rest = exchange[2:]
        while rest and rest[-1][0] == "out":   # never answered (the real observer was lost)
            rest = rest[:-1]
        request = json.dumps({"forked": exchange[1][1], "frames": rest}).encode()
        plans.append((request.ljust(exchange[0][1]), rest))
    return plans



class Floor:
    """The prototype's warm interpreter, started on entering the ``with`` block, stopped on leaving."""

    def __init__(self, scratch, kit_dir, primer, environment):
        self.scratch, self.kit_dir, self.primer, self.environment = scratch, kit_dir, primer, environment

    def __enter__(self):
        primer_file = os.path.join(self.scratch, "floor-primer.json")
        with open(primer_file, "w") as out:
            json.dump(list(self.primer), out)
        self.control, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-I", os.path.abspath(__file__), str(theirs.fileno()), self.kit_dir, primer_file],
            pass_fds=[theirs.fileno()], env=self.environment, cwd=self.scratch, stdin=subprocess.DEVNULL)
        theirs.close()
        if self.control.recv(1) != b"R":
            self.__exit__()
            raise RuntimeError("the floor's warm interpreter did not start")
        return self

    def __exit__(self, *exc):
        self.control.close()
        self.process.wait(timeout=30)
        return False

    def grade(self, recordings, count):
        """Run ``count`` submissions, cycling through ``recordings``: (cell sources, frames as
        ``grading_costs.Costs`` records them)."""
        jobs = [(json.dumps(cells).encode(), plan(frames)) for cells, frames in recordings]
        for i in range(count):
            cells, plans = jobs[i % len(jobs)]
            ours, sandbox = socket.socketpair()
            socket.send_fds(self.control, [b"S"], [sandbox.fileno()])
            sandbox.close()
            send_frame(ours, cells)
            recv_frame(ours)                       # ready
            for request, rest in plans:
                send_frame(ours, request)
                as_array(recv_frame(ours))         # forked
                for direction, size in rest:
                    if direction == "out":
                        send_frame(ours, array_bytes(size))
                    else:
                        as_array(recv_frame(ours))
            ours.close()


if __name__ == "__main__":
    zygote(int(sys.argv[1]), sys.argv[2], sys.argv[3])
