"""Grade a batch on a Dask distributed cluster; this process alone writes the results store.

``python -m autograder grade ... --scheduler ADDRESS`` (or ``DNN_GRADING_SCHEDULER``)
sends the batch to the Dask scheduler at ADDRESS (``tcp://host:8786``), or to a
``LocalCluster`` of N worker processes for ``local:N``. Nothing else changes:

- Every Dask worker process keeps one warm zygote (``host.Zygote``), started
  by a worker plugin when the worker joins with the batch's student kit,
  before any task (and so the salt) reaches it. Its sandboxes are forked from
  it exactly as in the local pool, and see nothing of the worker (no
  environment, no files).
- A task grades a *shard* of submissions, one after the other, and tells the
  client as it goes, through Dask events: ``start`` (sid) before grading one,
  then ``result`` (the result dict as JSON text) or ``error`` (the grader
  itself failed: shown for this run, never stored, as in the pool). The task
  also returns the same messages, in case an event was lost. The client
  receives plain data only.
- The client writes the store exactly as the pool does: ``store.save(sid,
  config, result, attempt)`` saves a result and closes its attempt in one
  transaction; attempts left open by a grader that was killed are closed
  uncharged when the next run starts; a submission whose grading worker died
  ``QUARANTINE_AFTER`` times while grading it is quarantined
  (``pool._quarantine_if_due``).

Attempts. In a shard, each attempt is opened when the worker reports it starts
that submission; a submission sent again *alone* (after a death) opens its
attempt before it is sent, as the pool does. When a worker dies, the
submission it was grading (started, no result) is charged one failed attempt
and sent again alone; the others of the shard are sent again uncharged. When
the client cannot tell which one it was (no ``start`` was received), none is
charged and all are sent again alone, so a submission that kills its worker is
always identified, quarantined after three deaths, and never takes its
shard-mates with it.

Dask would run a task again by itself after its worker died. The client does
that itself instead (as above), so a task first claims its token with a Dask
``Event``; a second run of the same task finds the claim and returns at once.

The scheduler going away stops the batch with ``SchedulerLost``; the attempts
in flight are closed without being charged, and running the same command again
finishes the batch (stored results are reused, as always).

Differences from the local pool: a submission running past its deadline gets
its Dask worker restarted (only workers under a nanny can be); the reference's
answers to an exercise's calls of other graded functions (``grading._Oracle``)
have no time limit of their own off a process's main thread, so on a worker
only that deadline bounds them.
"""
import asyncio
import contextlib
import json
import logging
import math
import os
import queue
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import dask
from distributed import Client, Event, LocalCluster, get_client, get_worker
from distributed.diagnostics.plugin import WorkerPlugin
from distributed.utils import get_mp_context

from autograder.batch import grading, pool, safe_text
from autograder.batch.host import ZYGOTE_START_SECONDS, Zygote, ZygoteFailed
from autograder.batch.isolation import Limits
from autograder.batch.pool import GraderBroken, _quarantine_if_due
from autograder.salt import ENV as SALT_ENV

PLUGIN_NAME = "dnn-grading-zygote"
LOCAL = "local:"
MAX_SHARD = 16              # submissions per task at most (~1-2 s of grading)
SHARDS_PER_SLOT = 3         # the queue is cut so that each worker thread gets ~3 more shards
PREFETCH = 2                # shards in flight per worker thread: the next one waits on the worker
CONNECT_SECONDS = 30
WORKERS_WAIT_SECONDS = 120  # how long a batch waits for a first (or any) worker
SLOTS_REFRESH_SECONDS = 2.0
ENV = "DNN_GRADING_SCHEDULER"
LOCAL_CONFIG = {
    # workers (and their restarts) fork from a fresh, salt-free server process that imported
    # Dask once, instead of each starting an interpreter
    "distributed.worker.multiprocessing-method": "forkserver",
    # the statistical profiler samples the grading thread every 10 ms: a cost with no use here
    "distributed.worker.profile.enabled": False,
}
FORKSERVER_PRELOAD = ["distributed", "numpy", "autograder.batch.cluster", "autograder.kit.build"]


class ClusterError(RuntimeError):
    """The cluster cannot be used; the message says why (the batch stops, nothing is lost)."""


class SchedulerLost(ClusterError):
    """The connection to the scheduler was lost mid-batch."""


# ----------------------------------------------------------------------------------------------
# Worker side


class ZygotePlugin(WorkerPlugin):
    """Dask worker plugin: one warm zygote per worker process, started as the worker joins.

    Args:
        assignment: the batch's assignment: its student kit is built and the zygote started
            with it at setup, before any task (and so any salt) reaches the worker. A later
            batch of another assignment restarts the zygote with that kit (``host.Zygote``).

    Everything that touches the zygote runs in one long-lived thread of the plugin: a
    zygote dies with the thread that started it (``PR_SET_PDEATHSIG``), and a worker with
    several threads thus grades one submission at a time (its sandboxes' user id derives from
    the worker's pid, ``isolation.sandbox_uid``): run workers with ``--nthreads 1``.
    """

    name = PLUGIN_NAME
    idempotent = True

    def __init__(self, assignment=None):
        self.assignment = assignment

    async def setup(self, worker):
        self.scratch = os.path.join(worker.local_directory, "dnn-grading")
        self.zygote, self.failure = None, None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="dnn-grading")
        if self.assignment:
            await asyncio.wrap_future(self._thread.submit(self._warm))

    def _warm(self):
        try:
            self.zygote = Zygote(self.scratch)
            kit, cells = grading.kit_for(self.assignment), grading.release_cells(self.assignment)
            self.zygote.spawn(Limits(), kit, cells).close()
        except Exception as exc:   # the first task starts it again, and reports what fails
            self.failure = f"{type(exc).__name__}: {exc}"
            self._close()

    def teardown(self, worker):
        self._thread.submit(self._close).result()
        self._thread.shutdown(wait=False)

    def _close(self):
        if self.zygote is not None:
            self.zygote.close()
        self.zygote = None

    def grade(self, item, settings):
        """The result dict of one submission, or a pool.GraderError when the grader itself
        failed on it; GraderBroken when no sandbox can be started."""
        return self._thread.submit(self._grade, item, settings).result()

    def _grade(self, item, settings):
        for tries in (1, 2):
            try:
                if self.zygote is None or not self.zygote.alive():
                    self._close()
                    self.zygote = Zygote(self.scratch)
                return pool._grade_one(item, settings, self.zygote)
            except ZygoteFailed as exc:
                self.failure = str(exc)
                self._close()
        raise GraderBroken(self.failure)


class Trusted:
    """The trusted settings as they travel in a task: their repr never shows the salt
    (Dask logs a failed task's arguments)."""

    def __init__(self, settings):
        self.settings = settings

    def __repr__(self):
        return "<trusted grading settings>"


def _claim(name, run):
    """True for the first run of a task, False when Dask runs it again after its worker died."""
    claim = Event(name, client=get_client())
    if claim.is_set():
        return False
    claim.set()
    return True


def grade_shard(topic, token, entries, trusted):
    """Dask task: grade ``entries`` [(sid, Submission)] in order; never raises.

    Returns {"run", "rerun", "outcomes"}: the same messages that were sent as events on
    ``topic`` (``start``, ``result``, ``error``, ``broken``), or rerun=True and nothing done
    when this task already ran once.
    """
    worker = get_worker()
    run = uuid.uuid4().hex
    outcomes = []

    def tell(kind, sid, **extra):
        message = {"kind": kind, "token": token, "run": run, "sid": sid,
                   "worker": worker.address, **extra}
        outcomes.append(message)
        worker.log_event(topic, message)

    try:
        if not _claim(f"{topic}-{token}", run):
            return {"run": run, "rerun": True, "outcomes": []}
    except Exception as exc:   # nothing was graded: the client sends the shard again, uncharged
        return {"run": run, "rerun": False, "outcomes": [], "unclaimed": repr(exc)[:300]}
    plugin = worker.plugins.get(PLUGIN_NAME)
    for sid, item in entries:
        tell("start", sid)
        try:
            if plugin is None:
                raise GraderBroken("the grading plugin is not installed on this worker")
            result = plugin.grade(item, trusted.settings)
        except GraderBroken as exc:
            tell("broken", sid, why=str(exc))
            break
        except Exception as exc:   # the grader's own failure, as pool._grade_one reports it
            result = pool.GraderError(type(exc).__name__)
        if isinstance(result, pool.GraderError):
            tell("error", sid, why=str(result))
        else:
            tell("result", sid, result=json.dumps(result, sort_keys=True))
    return {"run": run, "rerun": False, "outcomes": outcomes}


# ----------------------------------------------------------------------------------------------
# Client side


@contextlib.contextmanager
def connect(address):
    """A connected ``distributed.Client``: to ``address``, or to a new LocalCluster (``local:N``).

    The LocalCluster's workers are started without the salt in their environment (nor any
    worker it restarts later in the batch).
    """
    with _without(SALT_ENV), contextlib.ExitStack() as stack:
        if address.startswith(LOCAL):
            count = address[len(LOCAL):]
            if not count.isdigit() or int(count) < 1:
                raise ClusterError(f"--scheduler {address!r}: write local:N with N >= 1 workers")
            stack.enter_context(dask.config.set(LOCAL_CONFIG))
            # the fork server imports, once, what every worker needs (forked workers share it)
            get_mp_context().set_forkserver_preload(FORKSERVER_PRELOAD)
            try:
                cluster = stack.enter_context(LocalCluster(
                    n_workers=int(count), processes=True, threads_per_worker=1,
                    dashboard_address=None, silence_logs=logging.ERROR))
            except RuntimeError as exc:
                raise ClusterError(f"cannot start a local Dask cluster: {exc}") from None
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(address, timeout=CONNECT_SECONDS))
            except (OSError, TimeoutError, ValueError) as exc:
                raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        yield client


@contextlib.contextmanager
def _without(name):
    saved = os.environ.pop(name, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[name] = saved


@dataclass
class _Shard:
    token: str
    entries: list                                  # [(sid, Submission)]
    solo: bool                                     # sent alone after a death: attempt opened first
    future: object = None
    run: str = ""                                  # the run whose messages count
    attempts: dict = field(default_factory=dict)   # sid -> attempt id
    settled: set = field(default_factory=set)      # sids whose fate in this shard is decided
    current: int = None                            # sid started, no outcome yet
    since: float = 0.0
    worker: str = ""
    overdue: str = ""                              # why its worker was restarted, if it was


class _Batch:
    """The client's side of one batch: dispatch shards, write what comes back."""

    def __init__(self, client, address, settings, store, config, results, progress, deadline):
        self.client, self.address, self.settings = client, address, settings
        self.store, self.config, self.results, self.progress = store, config, results, progress
        self.deadline = deadline
        self.batch = uuid.uuid4().hex[:12]
        self.topic = f"dnn-grading-{self.batch}"
        self.inbox = queue.Queue()
        self.waiting = []          # [(sid, Submission, solo)], front first
        self.shards = {}           # token -> _Shard in flight
        self.done = set()          # sids with a saved result in this batch
        self.count = 0
        self._slots, self._slots_at, self._no_workers_since = 0, -1e9, None

    # -- dispatch --------------------------------------------------------------------------------

    def slots(self):
        now = time.monotonic()
        if now - self._slots_at > SLOTS_REFRESH_SECONDS:
            self._slots = sum(self.client.nthreads().values())
            self._slots_at = now
        return self._slots

    def dispatch(self):
        """Send shards while workers have room: a shard of several may wait on a busy worker
        (no attempt is open until it starts); one sent alone only goes to a free thread."""
        while self.waiting and len(self.shards) < PREFETCH * self.slots():
            first = self.waiting[0]
            if first[2] and len(self.shards) >= self.slots():
                return
            if first[2]:
                taken = [self.waiting.pop(0)]
            else:
                size = max(1, min(MAX_SHARD, math.ceil(len(self.waiting) / (SHARDS_PER_SLOT * self.slots()))))
                taken = []
                while self.waiting and len(taken) < size and not self.waiting[0][2]:
                    taken.append(self.waiting.pop(0))
            self.count += 1
            shard = _Shard(f"{self.count}-{uuid.uuid4().hex[:8]}", [(s, i) for s, i, _ in taken],
                           solo=first[2])
            if shard.solo:   # before it leaves: a death is then charged to it without doubt
                sid = shard.entries[0][0]
                shard.attempts[sid] = self.store.start_attempt(sid, self.config)
            shard.future = self.client.submit(
                grade_shard, self.topic, shard.token, shard.entries, Trusted(self.settings),
                key=f"dnn-grade-{self.batch}-{shard.token}", pure=False, retries=0)
            self.shards[shard.token] = shard
            shard.future.add_done_callback(lambda _, t=shard.token: self.inbox.put(("done", t)))

    # -- messages --------------------------------------------------------------------------------

    def apply(self, message):
        shard = self.shards.get(message.get("token"))
        if shard is None:
            return
        if not shard.run:
            shard.run = message["run"]
        if message["run"] != shard.run:
            return
        sid = message["sid"]
        item = dict(shard.entries).get(sid)
        if item is None or sid in shard.settled:
            return
        kind = message["kind"]
        if kind == "start":
            if sid in self.done:
                return
            if sid not in shard.attempts:
                shard.attempts[sid] = self.store.start_attempt(sid, self.config)
            shard.current, shard.since, shard.worker = sid, time.monotonic(), message["worker"]
            return
        shard.settled.add(sid)
        shard.current = None
        attempt = shard.attempts.get(sid)
        if kind == "result":
            if sid in self.done:
                return
            result = safe_text.clean_result(json.loads(message["result"]))
            self.store.save(sid, self.config, result, attempt)
            self.results[item.path] = result
            self.done.add(sid)
            self.progress.update(result["status"])
        elif kind == "error":   # as the pool: shown for this run, never stored, not charged
            if attempt is not None:
                self.store.close_attempt(attempt, f"grader error: {message['why']}")
            self.results[item.path] = grading.not_graded(
                item, self.settings.assignment, "error",
                f"the grader failed while grading this submission ({message['why']}); no result "
                "was stored: it is graded again by the next run")
            self.done.add(sid)
            self.progress.update("error")
        elif kind == "broken":
            if attempt is not None:
                self.store.close_attempt(attempt, f"aborted: {message['why']}")
            raise GraderBroken(message["why"])

    def _charge(self, sid, item, attempt, why):
        """A failed attempt for ``sid``; quarantined when due, else sent again alone."""
        if attempt is not None:
            self.store.fail_attempt(attempt, why)
        if not _quarantine_if_due(self.store, sid, item, self.settings, self.config, self.results,
                                  self.progress):
            self.waiting.insert(0, (sid, item, True))
        else:
            self.done.add(sid)

    def finish(self, token):
        """The shard's task ended (done, rerun, or its worker died): settle every submission."""
        shard = self.shards.get(token)
        if shard is None:
            return
        future, died = shard.future, None
        if future.status == "finished":
            value = future.result()
            for message in value["outcomes"]:
                self.apply(message)
            if value["rerun"]:
                died = "the Dask worker grading it died"
        elif future.status == "cancelled":
            raise SchedulerLost(f"the Dask scheduler at {self.address} went away")
        else:
            died = f"the Dask worker grading it died ({type(future.exception()).__name__})"
        self.shards.pop(token)
        left = [(s, i) for s, i in shard.entries if s not in shard.settled and s not in self.done]
        suspect = shard.entries[0][0] if shard.solo else shard.current
        if future.status == "finished" and future.result().get("unclaimed"):
            suspect = None   # it never started: nobody's doing
        requeue = []
        for sid, item in left:
            if sid == suspect:
                self._charge(sid, item, shard.attempts.get(sid),
                             shard.overdue or died or "no result came back")
            else:
                if sid in shard.attempts:   # started or sent, no result: not its fault
                    self.store.close_attempt(shard.attempts[sid], "not finished: sent again")
                requeue.append((sid, item, suspect is None))
        self.waiting[0:0] = requeue
        future.release()
        self._forget(token)

    def _forget(self, token):
        with contextlib.suppress(Exception):
            Event(f"{self.topic}-{token}", client=self.client).clear()

    def overdue(self):
        """Restart the worker of a submission running past the deadline (its task then ends,
        and the submission is charged). A zygote may start inside a submission's grading (the
        first on a worker, or another kit): its start is allowed on top, as in the pool."""
        now = time.monotonic()
        allowed = self.deadline + ZYGOTE_START_SECONDS
        for shard in self.shards.values():
            if shard.current is not None and now - shard.since > allowed and shard.worker:
                logging.getLogger(__name__).warning(
                    "no result after %g s: restarting Dask worker %s", allowed, shard.worker)
                shard.since, shard.overdue = now, f"no result after {allowed:g} s"
                with contextlib.suppress(Exception):
                    self.client.restart_workers([shard.worker], raise_for_error=False)

    def abandon(self):
        """The batch stops: close the attempts in flight without charging anyone."""
        for shard in self.shards.values():
            for sid, attempt in shard.attempts.items():
                if sid not in shard.settled and sid not in self.done:
                    with contextlib.suppress(Exception):
                        self.store.close_attempt(attempt, "interrupted: the grader stopped")

    # -- main loop -------------------------------------------------------------------------------

    def run(self, queued):
        self.waiting = [(sid, item, False) for sid, item in queued]
        self.client.subscribe_topic(self.topic, lambda event: self.inbox.put(("event", event[1])))
        try:
            while self.waiting or self.shards:
                self._check_connected()
                self.dispatch()
                self._check_workers()
                try:
                    kind, payload = self.inbox.get(timeout=1.0)
                except queue.Empty:
                    self.overdue()
                    continue
                if kind == "event":
                    self.apply(payload)
                else:
                    self.finish(payload)
        except BaseException:
            self.abandon()
            raise
        finally:
            with contextlib.suppress(Exception):
                self.client.unsubscribe_topic(self.topic)
            with contextlib.suppress(Exception):   # best effort: needs this project on the scheduler
                self.client.run_on_scheduler(_drop_topic, topic=self.topic)

    def _check_connected(self):
        if self.client.status not in ("running", "connecting"):
            raise SchedulerLost(f"the Dask scheduler at {self.address} went away")

    def _check_workers(self):
        if self.slots() > 0:
            self._no_workers_since = None
            return
        now = time.monotonic()
        if self._no_workers_since is None:
            self._no_workers_since = now
        elif now - self._no_workers_since > WORKERS_WAIT_SECONDS:
            raise ClusterError(f"the Dask scheduler at {self.address} has had no worker for "
                               f"{WORKERS_WAIT_SECONDS} s")


def _drop_topic(topic, dask_scheduler=None):
    """On the scheduler: forget a finished batch's events (up to 1,000 results it keeps for
    late subscribers), so a long-lived scheduler does not hold every batch's."""
    dask_scheduler._broker.truncate(topic)
    dask_scheduler._broker._topics.pop(topic, None)


def grade_batch(items, settings, store, config, address, progress, deadline_seconds):
    """Grade ``items`` on the Dask cluster at ``address``; results by path, as ``pool.grade_batch``.

    Args:
        items: the Submissions of the batch.
        settings: grading.Settings (travels to the workers inside each task only).
        store: store.Store, written by this process only.
        config: fingerprint of the grading configuration.
        address: a scheduler address (``tcp://host:8786``) or ``local:N``.
        progress: pool.Progress.
        deadline_seconds: longest time one submission may take before its worker is restarted.

    Raises ClusterError (SchedulerLost) or GraderBroken; what was saved stays saved.
    """
    with connect(address) as client:
        try:
            client.wait_for_workers(1, timeout=WORKERS_WAIT_SECONDS)
        except TimeoutError:
            raise ClusterError(f"the Dask scheduler at {address} has no worker "
                               f"(waited {WORKERS_WAIT_SECONDS} s)") from None
        client.register_plugin(ZygotePlugin(settings.assignment))
        queued, results = [], {}
        store.close_open_attempts("interrupted: the grader stopped before this attempt ended")
        for sid, item in zip(store.add_all(items, settings.assignment), items):
            found = store.result(sid, config)
            if getattr(item, "rejected", ""):
                pool._reject(store, sid, item, settings, config, results, progress)
            elif found is not None:
                results[item.path] = found
                progress.update(found["status"])
            elif not _quarantine_if_due(store, sid, item, settings, config, results, progress):
                queued.append((sid, item))
        if queued:
            _Batch(client, address, settings, store, config, results, progress,
                   deadline_seconds).run(queued)
    return [results[item.path] for item in sorted(items, key=lambda i: i.path)]
