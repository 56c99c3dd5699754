"""reader.data.decisions.events through the store: heads, importing other editors' events
(in any order, any number of times), conflicts and their resolution, who decided, claims,
and an undo that leaves another editor's later decision alone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.decisions import events as desk
from reader.data.decisions.events import Event
from reader.data.decisions.store import TriageStore
from reader.data.ids import key_from_id

PUB, SKIP, UND = Decision.PUBLISHED, Decision.SKIPPED, Decision.UNDECIDED
START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def ticking() -> Callable[[], datetime]:
    """A clock one second later at each reading: every stamp differs, in order."""
    now = [START]

    def clock() -> datetime:
        now[0] += timedelta(seconds=1)
        return now[0]

    return clock


def stamp(seconds: int) -> str:
    """A time as the events carry it, `seconds` after the start."""
    return (START + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def theirs(event_id: str, article: str, state: str | None, on: tuple[str, ...] = (),
           at: int = 500, editor: str = "bob", reason: str | None = None) -> Event:
    """Another editor's decision, as read from their log."""
    return Event(event_id, stamp(at), editor, "decide", article, state, reason, on)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TriageStore]:
    s = TriageStore(tmp_path / "decisions.db", clock=ticking())
    s.seed([("a", UND), ("b", PUB), ("c", UND)])
    yield s
    s.close()


def heads(store: TriageStore, article: str) -> list[str]:
    """The article's head events."""
    return sorted(desk.heads(store.conn, key_from_id(article)))


def journal_size(store: TriageStore) -> int:
    """How many entries the journal holds."""
    return int(store.conn.execute("SELECT count(*) FROM journal").fetchone()[0])


def test_each_local_decision_is_the_one_head_made_on_the_one_before(store: TriageStore) -> None:
    """Deciding twice leaves one head, the second decision, made on top of the first; an
    article nobody decided has no head."""
    store.decide(["a"], PUB)
    first = heads(store, "a")
    store.decide(["a"], SKIP, "dull")
    second = heads(store, "a")
    assert len(first) == len(second) == 1 and first != second
    made = {e.id: e for e in store.unshared_events()}
    assert made[second[0]].on == tuple(first)
    assert (made[second[0]].state, made[second[0]].reason) == ("skipped", "dull")
    assert made[first[0]].on == ()
    assert heads(store, "c") == []
    assert store.conflicts() == {}


def test_one_step_on_several_articles_makes_an_event_for_each(store: TriageStore) -> None:
    """A decision on two articles is two events, one per article."""
    store.decide(["a", "c"], SKIP)
    assert sorted(e.article or "" for e in store.unshared_events()) == ["a", "c"]


def test_a_child_read_before_its_parent_leaves_one_head(store: TriageStore) -> None:
    """Logs are read in any order: a decision read before the one it was made on top of
    still ends as the only head, and its state stands (no conflict)."""
    parent = theirs("p1", "a", "skipped", at=10)
    child = theirs("p2", "a", "published", on=("p1",), at=20)
    assert store.add_events([child])[0] == 1
    store.add_events([parent])
    assert heads(store, "a") == ["p2"]
    assert store.decision("a") is PUB
    assert store.conflicts() == {}


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0), (2, 0, 1)])
def test_a_chain_read_in_one_batch_in_any_order_ends_at_its_last(
    store: TriageStore, order: tuple[int, int, int]
) -> None:
    """Three decisions one on top of the other, in one import in any order: the last is
    the one head."""
    chain = [theirs("q0", "a", "skipped", at=1), theirs("q1", "a", "published", ("q0",), 2),
             theirs("q2", "a", "undecided", ("q1",), 3)]
    store.add_events([chain[i] for i in order])
    assert heads(store, "a") == ["q2"]
    assert store.decision("a") is UND


def test_importing_the_same_events_twice_changes_nothing(store: TriageStore) -> None:
    """A second import of the same events adds none, changes no article, journals nothing;
    an event given twice in one import counts once."""
    batch = [theirs("x1", "a", "skipped", reason="old"), theirs("x2", "c", "published"),
             theirs("x1", "a", "skipped", reason="old")]
    assert store.add_events(batch) == (2, ["a", "c"])
    size = journal_size(store)
    assert store.add_events(batch) == (0, [])
    assert journal_size(store) == size
    assert (store.decision("a"), store.reason("a")) == (SKIP, "old")


def test_my_own_events_read_back_from_my_log_change_nothing(store: TriageStore) -> None:
    """Once shared, my events come back from my log at every sync: known, so no change."""
    store.decide(["a"], SKIP)
    mine = store.unshared_events()
    store.mark_shared([e.id for e in mine], "ann")
    size = journal_size(store)
    assert store.add_events([replace(e, editor="ann") for e in mine]) == (0, [])
    assert journal_size(store) == size
    assert store.unshared_events() == []


def test_two_editors_deciding_apart_is_a_conflict_with_both_sides(store: TriageStore) -> None:
    """My decision and one made without seeing it, with another state: two heads, a
    conflict listing both (latest first); the later one gives the state meanwhile."""
    store.decide(["a"], PUB, "big news")
    mine = heads(store, "a")[0]
    store.add_events([theirs("b1", "a", "skipped", reason="paywall", at=900)])
    found = store.conflicts()
    assert list(found) == ["a"]
    assert [(s.event, s.editor, s.state, s.reason) for s in found["a"]] == [
        ("b1", "bob", "skipped", "paywall"), (mine, None, "published", "big news")]
    assert (store.decision("a"), store.reason("a")) == (SKIP, "paywall")
    assert store.conflicts(["c"]) == {}


def test_two_heads_that_agree_are_no_conflict(store: TriageStore) -> None:
    """Two editors who decided alike apart leave two heads but no conflict."""
    store.decide(["a"], SKIP)
    store.add_events([theirs("b1", "a", "skipped", at=900)])
    assert len(heads(store, "a")) == 2
    assert store.conflicts() == {}


@pytest.mark.parametrize("again", [PUB, SKIP, UND], ids=["mine", "theirs", "other"])
def test_deciding_a_conflicted_article_again_resolves_it(
    store: TriageStore, again: Decision
) -> None:
    """Deciding it again, whatever the state (even the one that stands now, which would
    otherwise change nothing), makes one head on top of both sides."""
    store.decide(["a"], PUB)
    store.add_events([theirs("b1", "a", "skipped", at=900)])
    sides = heads(store, "a")
    assert store.decide(["a"], again) is not None
    assert store.conflicts() == {}
    (head,) = heads(store, "a")
    made = {e.id: e for e in store.unshared_events()}[head]
    assert sorted(made.on) == sides
    assert store.decision("a") is again


def test_deciding_the_standing_state_with_its_reason_resolves_too(store: TriageStore) -> None:
    """The exact state and reason that stand (the no-op case of `decide`) resolve a
    conflict all the same."""
    store.decide(["a"], PUB, "mine")
    store.add_events([theirs("b1", "a", "skipped", at=900, reason="theirs")])
    assert (store.decision("a"), store.reason("a")) == (SKIP, "theirs")
    assert store.decide(["a"], SKIP, "theirs") is not None
    assert store.conflicts() == {}
    assert len(heads(store, "a")) == 1


def test_a_resolution_read_by_the_other_side_ends_its_conflict(store: TriageStore) -> None:
    """Bob's resolution, made on top of both sides, ends the conflict here too once read."""
    store.decide(["a"], PUB)
    mine = heads(store, "a")[0]
    store.add_events([theirs("b1", "a", "skipped", at=900)])
    store.add_events([theirs("b2", "a", "undecided", on=(mine, "b1"), at=901)])
    assert store.conflicts() == {}
    assert heads(store, "a") == ["b2"]
    assert store.decision("a") is UND


def test_back_to_the_file_follows_the_file(store: TriageStore) -> None:
    """A decision of state None (the editor's undo back to the file) leaves the article as
    its file says: not an editor's decision any more."""
    store.add_events([theirs("b1", "b", "skipped", at=1)])
    assert store.decision("b") is SKIP
    store.add_events([theirs("b2", "b", None, on=("b1",), at=2)])
    assert "b" not in store.decided_by()


def test_decided_by_names_me_then_my_name_then_theirs(store: TriageStore) -> None:
    """Mine unshared: editor None; once shared: my name; another's decision: theirs."""
    store.decide(["a"], SKIP)
    assert store.decided_by()["a"][0] is None
    store.mark_shared([e.id for e in store.unshared_events()], "ann")
    assert store.decided_by()["a"][0] == "ann"
    store.add_events([theirs("b1", "c", "published", at=77)])
    assert store.decided_by()["c"] == ("bob", stamp(77))
    assert "b" not in store.decided_by()  # its file's state: nobody decided it


def claim_event(event_id: str, until: int, articles: tuple[str, ...] = ("a",),
                at: int = 0, editor: str = "bob") -> Event:
    """A claim as read from a log."""
    return Event(event_id, stamp(at), editor, "claim", until=stamp(until), articles=articles)


def test_claims_in_force_expired_and_released(store: TriageStore) -> None:
    """A claim holds until its time and not after; a release ends it before."""
    store.add_events([claim_event("k1", 3600), claim_event("k2", 60, ("c",)),
                      claim_event("k3", 3600, ("b",))])
    store.add_events([Event("r1", stamp(5), "bob", "release", on=("k3",))])
    now = stamp(120)
    assert [(c.event, c.articles) for c in store.claims(now)] == [("k1", ("a",))]
    assert {c.event for c in store.claims(stamp(30))} == {"k1", "k2"}
    assert store.claims(stamp(3600)) == []


@pytest.mark.parametrize("together", [True, False], ids=["one-import", "two-imports"])
def test_a_release_read_before_its_claim_still_ends_it(store: TriageStore,
                                                        together: bool) -> None:
    """Logs are read in any order: the release comes first, the claim it ends after."""
    release = Event("r1", stamp(5), "bob", "release", on=("k1",))
    claim = claim_event("k1", 3600)
    if together:
        store.add_events([release, claim])
    else:
        store.add_events([release])
        store.add_events([claim])
    assert store.claims(stamp(60)) == []


def test_my_claim_is_own_and_travels_as_an_event(store: TriageStore) -> None:
    """A claim made here is marked own, is unshared until marked, and its release too."""
    made = store.claim(stamp(3600), ["a", "c"])
    (claim,) = store.claims(stamp(60))
    assert claim.own and claim.editor is None and claim.articles == ("a", "c")
    ended = store.release([made.id])
    assert ended is not None and store.claims(stamp(60)) == []
    assert [(e.kind, e.on) for e in store.unshared_events()] == [
        ("claim", ()), ("release", (made.id,))]
    assert store.release([]) is None


def test_a_provider_claim_names_no_article(store: TriageStore) -> None:
    """A claim of a provider keeps its provider, and no article."""
    store.add_events([Event("k9", stamp(0), "bob", "claim", until=stamp(3600),
                            provider="Fierce")])
    (claim,) = store.claims(stamp(1))
    assert (claim.provider, claim.articles, claim.own) == ("Fierce", (), False)


def test_undo_leaves_an_article_another_editor_decided_since(store: TriageStore) -> None:
    """I decide a and c, Bob then decides a on top of mine; my undo takes c back, keeps
    Bob's a (Change.kept), and the undo travels as a new event for c only."""
    store.decide(["a", "c"], SKIP)
    mine = heads(store, "a")[0]
    store.mark_shared([e.id for e in store.unshared_events()], "ann")
    store.add_events([theirs("b1", "a", "published", on=(mine,), at=900)])
    change = store.undo()
    assert change is not None
    assert change.kept == ("a",) and change.ids == ("c",)
    assert store.decision("a") is PUB
    assert store.decision("c") is UND
    (undone,) = store.unshared_events()
    assert (undone.article, undone.state) == ("c", None)
    assert store.conflicts() == {}


def test_undo_then_redo_are_events_on_top_of_each_other(store: TriageStore) -> None:
    """Undo and redo of my own step each make an event on top of the one before."""
    store.decide(["a"], SKIP, "dull")
    store.undo()
    store.redo()
    made = store.unshared_events()
    assert [(e.state, e.reason) for e in made] == [("skipped", "dull"), (None, None),
                                                  ("skipped", "dull")]
    assert made[1].on == (made[0].id,) and made[2].on == (made[1].id,)
    assert heads(store, "a") == [made[2].id]
