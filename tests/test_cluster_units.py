"""The cluster client's bookkeeping, without a cluster: which attempts are opened, charged or
closed uncharged when a shard's worker dies, and that repeated messages are written once.
A real results store; a stand-in for Dask's client and futures."""
import pytest

pytest.importorskip("distributed", reason="the [cluster] extra is not installed")

from autograder.batch import cluster, grading, pool  # noqa: E402
from autograder.batch.store import QUARANTINE_AFTER, Store  # noqa: E402
from autograder.batch.submission import Submission  # noqa: E402

ASSIGNMENT = "step_by_step"
CONFIG = "config-1"


class FakeFuture:
    def __init__(self):
        self.status, self.value, self.error, self.released = "pending", None, None, False

    def add_done_callback(self, callback):
        self.callback = callback

    def result(self):
        return self.value

    def exception(self):
        return self.error

    def release(self):
        self.released = True


class FakeClient:
    """Enough of ``distributed.Client`` for ``_Batch``: one worker thread by default."""

    status = "running"

    def __init__(self, threads=1):
        self.threads, self.sent = threads, []

    def nthreads(self):
        return {"tcp://worker:1": self.threads}

    def submit(self, function, topic, token, entries, trusted, **options):
        future = FakeFuture()
        self.sent.append((token, [sid for sid, _ in entries], future))
        return future


def _items(count):
    return [Submission(path=f"/s/{name}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", student=name, sha256=f"{i:064x}",
                       arrived="2026-01-01T00:00:00.000000000Z", raw=b"{}")
            for i, name in enumerate(f"student{i}" for i in range(count))]


@pytest.fixture
def batch(tmp_path):
    store = Store(str(tmp_path / "results.sqlite"))
    items = _items(4)
    sids = store.add_all(items, ASSIGNMENT)
    settings = grading.Settings(ASSIGNMENT, "unit-salt")
    made = cluster._Batch(FakeClient(), "tcp://scheduler:8786", settings, store, CONFIG, {},
                          pool.Progress(len(items), enabled=False), deadline=600)
    made.waiting = [(sid, item, False) for sid, item in zip(sids, items)]
    yield made, sids, items
    store.close()


def _message(shard, kind, sid, **extra):
    return {"kind": kind, "token": shard, "run": "run-1", "sid": sid, "worker": "tcp://worker:1", **extra}


def _result(item, score=10.0):
    result = grading.not_graded(item, ASSIGNMENT, "graded", "stand-in")
    result.update(score=score, error=None)
    import json
    return json.dumps(result, sort_keys=True)


def _attempts(store):
    return store.db.execute("SELECT submission_id, outcome FROM attempts ORDER BY id").fetchall()


def _die(client, token):
    """The task's worker died: Dask reran it elsewhere, and the rerun found its claim."""
    future = next(f for t, _, f in client.sent if t == token)
    future.status, future.value = "finished", {"run": "run-2", "rerun": True, "outcomes": []}


def test_waiting_shard_mates_have_no_attempt_until_they_start(batch):
    made, sids, items = batch
    made.dispatch()
    (token, sent, _), *_ = made.client.sent
    assert len(sent) > 1, "a shard of several"
    assert _attempts(made.store) == [], "nothing is charged before a worker starts it"
    made.apply(_message(token, "start", sids[0]))
    assert _attempts(made.store) == [(sids[0], None)]


def test_a_dead_worker_charges_only_the_submission_it_was_grading(batch):
    made, sids, items = batch
    made.dispatch()
    token, sent, _ = made.client.sent[0]
    made.apply(_message(token, "start", sent[0]))
    made.apply(_message(token, "result", sent[0], result=_result(items[0])))
    made.apply(_message(token, "start", sent[1]))
    _die(made.client, token)
    made.finish(token)
    outcomes = dict(_attempts(made.store))
    assert outcomes[sent[0]] == "done"
    assert outcomes[sent[1]].startswith("failed: the Dask worker grading it died")
    assert set(outcomes) == {sent[0], sent[1]}, "shard-mates that never started are not charged"
    assert made.store.result(sent[0], CONFIG)["score"] == 10.0
    front = [(sid, solo) for sid, _, solo in made.waiting[:len(sent) - 1]]
    assert front[0] == (sent[1], True), "the suspect goes again alone, first"
    assert [sid for sid, _ in front[1:]] == sent[2:] and not any(solo for _, solo in front[1:])


def test_without_any_start_nobody_is_charged_and_all_go_again_alone(batch):
    made, sids, items = batch
    made.dispatch()
    token, sent, _ = made.client.sent[0]
    _die(made.client, token)
    made.finish(token)
    assert _attempts(made.store) == []
    assert [(sid, solo) for sid, _, solo in made.waiting[:len(sent)]] == [(sid, True) for sid in sent]


def test_a_submission_sent_alone_is_charged_at_once_and_quarantined_after_three_deaths(batch):
    made, sids, items = batch
    made.waiting = [(sids[0], items[0], True)]
    for death in range(QUARANTINE_AFTER):
        made.dispatch()
        token, sent, _ = made.client.sent[-1]
        assert sent == [sids[0]]
        assert _attempts(made.store)[-1] == (sids[0], None), "opened before it leaves"
        _die(made.client, token)
        made.finish(token)
    assert made.waiting == []
    quarantined = made.store.result(sids[0], CONFIG)
    assert quarantined["status"] == "quarantined"
    assert f"stopped {QUARANTINE_AFTER} times" in quarantined["error"]
    assert [o for _, o in _attempts(made.store)] == ["failed: the Dask worker grading it died"] * 3


def test_messages_seen_twice_are_written_once(batch):
    made, sids, items = batch
    made.dispatch()
    token, sent, future = made.client.sent[0]
    messages = []
    for sid in sent:
        item = items[sids.index(sid)]
        messages += [_message(token, "start", sid), _message(token, "result", sid, result=_result(item))]
    for message in messages:          # as events
        made.apply(message)
    future.status, future.value = "finished", {"run": "run-1", "rerun": False, "outcomes": messages}
    made.finish(token)                # and again in the task's value
    assert made.progress.done == len(sent)
    assert [o for _, o in _attempts(made.store)] == ["done"] * len(sent)
    assert made.store.db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == len(sent)


def test_a_grader_error_is_shown_for_this_run_and_neither_stored_nor_charged(batch):
    made, sids, items = batch
    made.dispatch()
    token, sent, future = made.client.sent[0]
    made.apply(_message(token, "start", sent[0]))
    made.apply(_message(token, "error", sent[0], why="KeyError"))
    made.apply(_message(token, "start", sent[1]))
    made.apply(_message(token, "result", sent[1], result=_result(items[sids.index(sent[1])])))
    assert [o for _, o in _attempts(made.store)] == ["grader error: KeyError", "done"]
    assert made.store.result(sent[0], CONFIG) is None
    assert made.store.failed_attempts(sent[0], CONFIG) == 0
    shown = made.results[items[sids.index(sent[0])].path]
    assert shown["status"] == "error" and "KeyError" in shown["error"]
    future.status, future.value = "finished", {"run": "run-1", "rerun": False, "outcomes": []}
    made.finish(token)
    assert sent[0] not in [sid for sid, _, _ in made.waiting], "not graded again in this run"


def test_no_sandbox_anywhere_stops_the_batch_uncharged(batch):
    made, sids, items = batch
    made.dispatch()
    token, sent, _ = made.client.sent[0]
    made.apply(_message(token, "start", sent[0]))
    with pytest.raises(pool.GraderBroken, match="no namespaces"):
        made.apply(_message(token, "broken", sent[0], why="no namespaces"))
    assert [o for _, o in _attempts(made.store)] == ["aborted: no namespaces"]
    assert made.store.failed_attempts(sent[0], CONFIG) == 0


def test_a_lost_scheduler_is_reported_and_closes_attempts_uncharged(batch):
    made, sids, items = batch
    made.dispatch()
    token, sent, future = made.client.sent[0]
    made.apply(_message(token, "start", sent[0]))
    future.status = "cancelled"
    with pytest.raises(cluster.SchedulerLost, match="went away"):
        made.finish(token)
    made.abandon()
    assert [o for _, o in _attempts(made.store)] == ["interrupted: the grader stopped"]
    assert made.store.failed_attempts(sent[0], CONFIG) == 0


def test_trusted_settings_never_show_the_salt():
    trusted = cluster.Trusted(grading.Settings(ASSIGNMENT, "very-secret-salt"))
    assert "very-secret-salt" not in repr(trusted) and "very-secret-salt" not in str(trusted)


def test_a_shard_that_could_not_claim_its_run_is_sent_again_uncharged(batch):
    made, sids, items = batch
    made.waiting = [(sids[0], items[0], True)]
    made.dispatch()
    token, sent, future = made.client.sent[-1]
    future.status, future.value = "finished", {"run": "r", "rerun": False, "outcomes": [],
                                               "unclaimed": "OSError('scheduler busy')"}
    made.finish(token)
    assert [o for _, o in _attempts(made.store)] == ["not finished: sent again"]
    assert made.store.failed_attempts(sids[0], CONFIG) == 0
    assert [(sid, solo) for sid, _, solo in made.waiting] == [(sids[0], True)]
