"""Grade a batch: worker processes grade, the main process alone writes the store.

Each worker owns one warm zygote (``host.Zygote``) and grades one submission
at a time. The main process records an attempt before handing a submission
out, and saves the result and closes the attempt in one transaction when it
comes back. A worker that dies or runs past its deadline while the grader is
alive is replaced; its submission is tried again, and quarantined after
``store.QUARANTINE_AFTER`` such attempts: a worker grades one submission at a
time, so each of them was that submission's doing. Attempts cut short because
the grader itself was killed or interrupted never count against a submission.

Nothing outlives the grader: each worker arms a parent-death signal and exits at
once if its parent is already gone, and holds neither the main process's end of
any worker pipe nor the results store's files, so a worker left without its
parent sees its pipe close. When the grader itself raises while grading a
submission, the worker lives on and the submission is shown with status
``error`` for this run, never stored as a grade (the next run grades it again).
"""
import multiprocessing
import os
import shutil
import signal
import sys
import time
from multiprocessing.connection import wait

from autograder.batch import grading, isolation, safe_text, wire
from autograder.batch.host import ZYGOTE_START_SECONDS, Zygote, ZygoteFailed
from autograder.batch.store import QUARANTINE_AFTER


def _release(descriptors):
    """Point each descriptor at /dev/null: what it held (a pipe end, a database file) is let go,
    and its number stays taken, so nothing that still refers to it can touch a reused one."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in descriptors:
            try:
                os.dup2(null, fd)
            except OSError:
                continue
    finally:
        os.close(null)


def _grade_one(item, settings, zygote):
    """grading.grade_submission within the submission's byte budget; a submission on which the
    grader itself fails is set aside (the worker lives on)."""
    try:
        with wire.Budget(wire.SUBMISSION_BYTES):
            return grading.grade_submission(item, settings, zygote)
    except ZygoteFailed:
        raise
    except Exception as exc:  # the grader's own failure: reported, never stored as a grade
        print(f"error: grading {safe_text.line(item.path)} failed inside the grader: "
              f"{type(exc).__name__}: {safe_text.line(exc)}", file=sys.stderr)
        return GraderError(type(exc).__name__)


def _worker(settings, scratch, connection, parent=None, release=()):
    """Worker process: grade what the main process sends until it sends None.

    Args:
        parent: the main process's pid; the worker exits at once if it is no longer its parent.
        release: descriptors inherited from the main process that it must not hold.
    """
    isolation.set_parent_death_signal()
    if parent is not None and os.getppid() != parent:
        os._exit(0)   # the grader died before the death signal was armed
    _release(release)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    zygote = None
    try:
        while True:
            job = connection.recv()
            if job is None:
                return
            sid, attempt, item = job
            for tries in (1, 2):
                try:
                    if zygote is None or not zygote.alive():
                        zygote = Zygote(scratch)
                    connection.send((sid, attempt, STARTED))
                    result = _grade_one(item, settings, zygote)
                    break
                except ZygoteFailed as exc:
                    if zygote is not None:
                        zygote.close()
                    zygote = None
                    if tries == 2:   # the grader cannot run at all: not this submission's fault
                        connection.send((sid, attempt, GraderBroken(str(exc))))
                        return
            connection.send((sid, attempt, result))
    finally:
        if zygote is not None:
            zygote.close()


STARTED = "started"   # sent by a worker when its warm interpreter is up and grading begins


class GraderBroken(RuntimeError):
    """Sandboxes cannot be started on this machine: the batch stops, nobody is quarantined."""


class GraderError(RuntimeError):
    """The grader itself raised while grading one submission (its message: the exception's type).

    Not the submission's fault and not a grade: the attempt is closed without counting, the
    submission is shown with status ``error`` for this run, nothing is stored, and the next run
    grades it again."""


class Progress:
    """A one-line progress bar on stderr (a line per tenth of the batch when not a terminal)."""

    WIDTH = 30

    def __init__(self, total, stream=sys.stderr, enabled=True):
        self.total, self.stream, self.enabled = total, stream, enabled
        self.done, self.counts, self.started = 0, {}, time.monotonic()
        self.tty = enabled and hasattr(stream, "isatty") and stream.isatty()
        self._last_tenth = -1

    def update(self, status):
        self.done += 1
        self.counts[status] = self.counts.get(status, 0) + 1
        if not self.enabled:
            return
        tenth = 10 * self.done // max(self.total, 1)
        if not self.tty and tenth == self._last_tenth and self.done != self.total:
            return
        self._last_tenth = tenth
        filled = self.WIDTH * self.done // max(self.total, 1)
        rate = self.done / max(time.monotonic() - self.started, 1e-9)
        counts = "  ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        line = (f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total}  "
                f"{counts}  {rate:.1f}/s")
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


def _quarantine_if_due(store, sid, item, settings, config, results, progress):
    """Quarantine a submission whose grading stopped QUARANTINE_AFTER times; True if it was."""
    if store.failed_attempts(sid, config) < QUARANTINE_AFTER:
        return False
    results[item.path] = grading.not_graded(
        item, settings.assignment, "quarantined",
        f"grading this submission stopped {QUARANTINE_AFTER} times without a result (its "
        "grading worker died or ran past its deadline while grading it alone); it is set aside "
        "to be looked at by hand")
    store.save(sid, config, results[item.path])
    progress.update("quarantined")
    return True


def _reject(store, sid, item, settings, config, results, progress):
    """Store the row of a submission refused before it was read (``item.rejected``)."""
    results[item.path] = safe_text.clean_result(
        grading.not_graded(item, settings.assignment, "rejected", item.rejected))
    store.save(sid, config, results[item.path])
    progress.update("rejected")


def grade_batch(items, settings, store, config, workers, scratch, progress, deadline_seconds):
    """Grade ``items`` (Submissions), using stored results when there are; results by path.

    Args:
        items: the Submissions of the batch.
        settings: grading.Settings.
        store: store.Store, written by this process only.
        config: fingerprint of the grading configuration (results are reused under the same).
        workers: number of worker processes.
        scratch: folder for the zygotes' logs and caches (inside the output folder).
        progress: Progress.
        deadline_seconds: longest time a worker may spend grading one submission (its warm
            interpreter's start, up to host.ZYGOTE_START_SECONDS, is not counted).
    """
    queue, results = [], {}
    store.close_open_attempts("interrupted: the grader stopped before this attempt ended")
    for sid, item in zip(store.add_all(items, settings.assignment), items):
        found = store.result(sid, config)
        if getattr(item, "rejected", ""):
            _reject(store, sid, item, settings, config, results, progress)
        elif found is not None:
            results[item.path] = found
            progress.update(found["status"])
        elif not _quarantine_if_due(store, sid, item, settings, config, results, progress):
            queue.append((sid, item))
    if queue:
        _run_workers(queue, results, settings, store, config, min(workers, len(queue)), scratch,
                     progress, deadline_seconds)
    return [results[item.path] for item in sorted(items, key=lambda i: i.path)]


def _run_workers(queue, results, settings, store, config, workers, scratch, progress, deadline):
    context = multiprocessing.get_context("fork")
    os.makedirs(scratch, exist_ok=True)
    slots = {}

    def start(slot):
        mine, theirs = context.Pipe()
        release = [mine.fileno(), *store.descriptors(),
                   *(s["conn"].fileno() for s in slots.values() if not s["conn"].closed)]
        process = context.Process(target=_worker, daemon=True,
                                  args=(settings, scratch, theirs, os.getpid(), release))
        process.start()
        theirs.close()
        slots[slot] = {"process": process, "conn": mine, "job": None, "since": 0.0}

    def give(slot):
        sid, item = queue.pop(0)
        attempt = store.start_attempt(sid, config)
        slots[slot].update(job=(sid, item, attempt), since=time.monotonic(), started=False)
        slots[slot]["conn"].send((sid, attempt, item))

    def lost(slot, why):
        sid, item, attempt = slots[slot]["job"]
        store.fail_attempt(attempt, why)
        slots[slot]["process"].kill()
        slots[slot]["process"].join()
        slots[slot]["conn"].close()
        if not _quarantine_if_due(store, sid, item, settings, config, results, progress):
            queue.insert(0, (sid, item))
        start(slot)

    try:
        for slot in range(workers):
            start(slot)
            give(slot)
        while any(s["job"] for s in slots.values()):
            busy = {s["conn"]: slot for slot, s in slots.items() if s["job"]}
            sentinels = {slots[slot]["process"].sentinel: slot for slot in busy.values()}
            ready = wait(list(busy) + list(sentinels), timeout=1.0)
            for handle in ready:
                slot = busy.get(handle, sentinels.get(handle))
                if slots[slot]["job"] is None:
                    continue
                try:
                    sid, attempt, result = slots[slot]["conn"].recv()
                except (EOFError, OSError):
                    lost(slot, "the grading worker died")
                else:
                    if isinstance(result, str) and result == STARTED:
                        # the deadline is the submission's: a warm interpreter's start is not
                        slots[slot].update(since=time.monotonic(), started=True)
                        continue
                    if isinstance(result, GraderBroken):
                        store.close_attempt(attempt, f"aborted: {result}")
                        raise result
                    if isinstance(result, GraderError):
                        store.close_attempt(attempt, f"grader error: {result}")
                        item = slots[slot]["job"][1]
                        results[item.path] = grading.not_graded(
                            item, settings.assignment, "error",
                            f"the grader failed while grading this submission ({result}); no "
                            "result was stored: it is graded again by the next run")
                        progress.update("error")
                        slots[slot]["job"] = None
                        if queue:
                            give(slot)
                        continue
                    result = safe_text.clean_result(result)
                    store.save(sid, config, result, attempt)
                    results[result["submission"]] = result
                    progress.update(result["status"])
                    slots[slot]["job"] = None
                if slots[slot]["job"] is None and queue:
                    give(slot)
            now = time.monotonic()
            for slot, s in list(slots.items()):
                allowed = deadline if s.get("started") else deadline + ZYGOTE_START_SECONDS
                if s["job"] and now - s["since"] > allowed:
                    lost(slot, f"no result after {deadline:g} s")
                    if queue:
                        give(slot)
    finally:
        for s in slots.values():
            if s["job"]:   # cut short by the grader stopping: not the submission's doing
                s["process"].kill()
                try:
                    store.close_attempt(s["job"][2], "interrupted: the grader stopped")
                except Exception as exc:  # left open, it is closed (never counted) by the next run
                    print(f"warning: attempt not closed: {type(exc).__name__}", file=sys.stderr)
        for s in slots.values():
            if s["process"].is_alive():
                try:
                    s["conn"].send(None)
                except OSError:
                    s["process"].kill()
        for s in slots.values():
            s["process"].join(timeout=5)
            if s["process"].is_alive():
                s["process"].kill()
                s["process"].join()
        shutil.rmtree(scratch, ignore_errors=True)
