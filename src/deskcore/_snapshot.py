"""Restoring a desk's whole state from a snapshot (rule D1); :mod:`deskcore._capture`
takes and writes it.

Instants are integer microseconds since the epoch (UTC). The indexes are not saved: they
are rebuilt from the agents and conversations, so a restored desk is the same desk.

A snapshot comes back from storage, where anything may have happened to it, so
:func:`load_state` believes nothing: every record and field is checked for its type and
range, every reference between agents, conversations and deadlines is followed, every
count that can be derived is derived and compared. Anything amiss is a
:class:`SnapshotError` naming the record and the field, and a snapshot that passes is one
the engine could have made. The state is not held to the settings it is restored under:
a settings update leaves states that the new settings would not make (an offer under
automatic service, say), and the desk goes on with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from ._capture import FORMAT
from ._document import load_settings
from ._engine import Engine
from ._errors import DeskcoreError, SettingsError
from ._events import AgentState
from ._fields import MOST, PRIORITY
from ._policy import ConversationState
from ._records import (
    KINDS,
    OFFER,
    ORDER_MASK,
    PROMPT,
    REASSIGN,
    REMIND,
    REPLY,
    TIMERS,
    WAIT,
    WEBHOOK,
    AgentRecord,
    ConvRecord,
    ScopeKey,
    timer_key,
)
from ._show import show
from ._tags import tag_fault
from ._time import EARLIEST, LATEST

__all__ = ["CONV_DEFAULTS", "CONV_KEYS", "SnapshotError", "load_state"]

S = ConversationState
TOP_KEYS = frozenset({"format", "now", "order", "seq", "rebalance", "agents", "conversations"})
AGENT_KEYS = frozenset(
    {
        "id",
        "name",
        "status",
        "groups",
        "capacity",
        "load",
        "offers",
        "online",
        "zero",
        "given",
        "reassign",
    }
)
CONV_KEYS = frozenset(
    {
        "id",
        "state",
        "request",
        "scope",
        "agent",
        "declined",
        "missed",
        "timers",
        "queue_pos",
        "queue_at",
        "card_until",
        "card_agent",
        "rated",
        "closed",
        "forget",
        "user",
        "language",
        "priority",
        "preferred",
    }
)
CONV_REQUIRED = frozenset({"id", "state"})
# A conversation's fields at their defaults, which format 3 leaves out (a closed one, most
# of a large desk, keeps about six of its nineteen): a smaller text, read faster.
CONV_DEFAULTS: dict[str, Any] = {
    "request": None,
    "scope": None,
    "agent": None,
    "declined": [],
    "missed": [],
    "timers": None,  # every deadline null
    "queue_pos": None,
    "queue_at": None,
    "card_until": None,
    "card_agent": None,
    "rated": False,
    "closed": None,
    "forget": None,
    "user": None,
    "language": None,
    "priority": 0,
    "preferred": None,
}
# What format 1 lacked, and the values it meant.
FORMAT_1_AGENT = {"reassign": None}
FORMAT_1_CONV = {key: CONV_DEFAULTS[key] for key in ("user", "language", "priority", "preferred")}
# The deadline kinds each state may have pending (T2).
ALLOWED_TIMERS: dict[ConversationState, frozenset[int]] = {
    S.NEW: frozenset(),
    S.AWAITING_ANSWER: frozenset({WAIT, WEBHOOK}),
    S.WAITING: frozenset({WAIT, PROMPT}),
    S.OFFERED: frozenset({OFFER, WAIT}),
    S.SERVED: frozenset({REPLY, REMIND}),
    S.CLOSED: frozenset(),
}
REQUIRED_TIMERS: dict[ConversationState, frozenset[int]] = {
    S.AWAITING_ANSWER: frozenset({WEBHOOK}),
    S.OFFERED: frozenset({OFFER}),
}


class SnapshotError(DeskcoreError, ValueError):
    """A snapshot given to :meth:`~deskcore.Desk.restore` is malformed or inconsistent;
    ``where`` names the record and field (``conversations[3].timers``)."""

    def __init__(self, message: str, *, where: str = "") -> None:
        self.where = where
        self.detail = message
        """The message without the place."""
        super().__init__(f"{where}: {message}" if where else message)


# -- reading, field by field ---------------------------------------------------------------


_NO_IDS: frozenset[str] = frozenset()
# The defaults a format-3 record's missing fields read as (from CONV_DEFAULTS; the others
# are None, which ``get`` gives).
_NO_LIST: list[str] = CONV_DEFAULTS["declined"]  # never changed
_DEFAULT_RATED: bool = CONV_DEFAULTS["rated"]
_DEFAULT_PRIORITY: int = CONV_DEFAULTS["priority"]
# The members of the enums a snapshot names, by value.
_MEMBERS: dict[type[Any], dict[str, Any]] = {
    kind: {member.value: member for member in kind} for kind in (AgentState, ConversationState)
}


class _Place:
    """Where a record is in the snapshot, written out only for an error message."""

    __slots__ = ("id", "list", "number")

    def __init__(self, name: str, number: int, record_id: str) -> None:
        self.list, self.number, self.id = name, number, record_id

    def __str__(self) -> str:
        return f"{self.list}[{self.number}] ({show(self.id)})"


def _join(where: str, inner: str) -> str:
    """A place inside the record at ``where``."""
    if not inner:
        return where
    return f"{where}{inner}" if inner.startswith("[") else f"{where}.{inner}"


def _fail(where: str, message: str) -> NoReturn:
    raise SnapshotError(message, where=where)


def _at(where: str, key: object) -> str:
    """The place of ``key`` in the record at ``where`` (a long key cut short)."""
    name = str(key) if len(str(key)) <= 60 else str(key)[:57] + "..."
    return f"{where}.{name}" if where else name


def _table(
    value: object, where: str, required: frozenset[str], allowed: frozenset[str]
) -> Mapping[str, Any]:
    """``value`` as an object with every ``required`` field and no field beyond
    ``allowed`` (which holds ``required``)."""
    if type(value) is dict and value.keys() <= allowed and value.keys() >= required:
        return value  # the usual case, at once
    if not isinstance(value, dict):
        _fail(where, f"must be an object, got {show(value)}")
    for key in value:
        if key not in allowed:
            _fail(_at(where, key), "unknown field")
    for key in sorted(required):
        if key not in value:
            _fail(_at(where, key), "is missing")
    return value


def _integer(value: object, where: str, low: int = 0, high: int = ORDER_MASK) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(where, f"must be an integer, got {show(value)}")
    if not low <= value <= high:
        _fail(where, f"must be in {low}..{high}, got {show(value)}")
    return value


def _instant(value: object, where: str, latest: int = LATEST) -> int:
    return _integer(value, where, EARLIEST, latest)


def _maybe_instant(value: object, where: str, latest: int = LATEST) -> int | None:
    return None if value is None else _instant(value, where, latest)


def _ident(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        _fail(where, f"must be a non-empty string, got {show(value)}")
    return value


def _maybe_ident(value: object, where: str) -> str | None:
    return None if value is None else _ident(value, where)


def _idents(value: object, where: str) -> frozenset[str]:
    if type(value) is list and not value:
        return _NO_IDS
    if not isinstance(value, list):
        _fail(where, f"must be a list of ids, got {show(value)}")
    ids = [_ident(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if len(set(ids)) != len(ids):
        _fail(where, f"repeats an id: {show(ids)}")
    return frozenset(ids)


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        _fail(where, f"must be true or false, got {show(value)}")
    return value


def _choice(kind: type[Any], value: object, where: str) -> Any:
    members = _MEMBERS[kind]
    member = members.get(value) if type(value) is str else None
    if member is None:
        names = list(members)
        _fail(where, f"must be one of {', '.join(map(repr, names))}, got {show(value)}")
    return member


def _scope(value: object, where: str) -> ScopeKey | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        _fail(where, f"must be a scope list, got {show(value)}")
    head = value[0]
    if head == "*" and len(value) == 1:
        return ("*",)
    if head == "g" and len(value) == 2:
        return ("g", _ident(value[1], f"{where}[1]"))
    if head == "a" and len(value) >= 2:
        members = [_ident(item, f"{where}[{n}]") for n, item in enumerate(value[1:], 1)]
        if members != sorted(set(members)):
            _fail(where, "must list its agents sorted, without repeats")
        return ("a", *members)
    _fail(where, f"must be ['*'], ['g', group] or ['a', agent, ...], got {show(value)}")


# -- records ---------------------------------------------------------------------------------


def _deadline(value: object, where: str, kind: int, now: int, seq: int) -> tuple[int, str] | None:
    """A deadline ``[due, order << 3 | kind]``, as a heap key (target left blank)."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        _fail(where, f"must be [instant, order] or null, got {show(value)}")
    due = _instant(value[0], f"{where}[0]")
    if due < now:
        _fail(f"{where}[0]", "is before the snapshot's instant: it would have fired")
    if seq == 0:
        _fail(where, "must be null: the snapshot's seq says no deadline was ever set")
    code = _integer(value[1], f"{where}[1]", 8, (seq << 3) | 7)
    if code & 7 != kind:
        _fail(f"{where}[1]", f"names deadline kind {code & 7}, not {kind} ({KINDS[kind]})")
    return (timer_key(due, code), "")


def _agent(item: object, where: str, now: int, seq: int) -> AgentRecord:
    """The record at ``where``; an error names its place (the reading itself names
    fields relative to the record, so nothing is formatted for a valid one)."""
    try:
        return _read_agent(item, now, seq)
    except SnapshotError as exc:
        raise SnapshotError(exc.detail, where=_join(where, exc.where)) from None


def _read_agent(item: object, now: int, seq: int) -> AgentRecord:
    data = _table(item, "", AGENT_KEYS, AGENT_KEYS)
    agent = AgentRecord(_ident(data["id"], "id"))
    name = data["name"]
    if name is not None and not isinstance(name, str):
        _fail("name", f"must be a string or null, got {show(name)}")
    agent.name = name
    agent.status = _choice(AgentState, data["status"], "status")
    agent.groups = _idents(data["groups"], "groups")
    capacity = data["capacity"]
    agent.capacity = None if capacity is None else _integer(capacity, "capacity", 0, MOST)
    agent.load = _integer(data["load"], "load")
    agent.offers = set(_idents(data["offers"], "offers")) or None
    agent.online = _instant(data["online"], "online", now)
    agent.zero = _maybe_instant(data["zero"], "zero", now)
    agent.given = _maybe_instant(data["given"], "given", now)
    timer = _deadline(data["reassign"], "reassign", REASSIGN, now, seq)
    if timer is not None:
        if agent.status is AgentState.ONLINE:
            _fail("reassign", "an online agent hands nothing over (A6)")
        agent.t_reassign = (timer[0], agent.id)
    return agent


def _conversation(
    item: object, where: str, now: int, order: int, seq: int, complete: bool
) -> ConvRecord:
    """The record at ``where``; an error names its place (the reading itself names
    fields relative to the record, so nothing is formatted for a valid one). A
    ``complete`` record (format 2) has every field; else those left out take
    :data:`CONV_DEFAULTS`."""
    try:
        return _read_conversation(item, now, order, seq, complete)
    except SnapshotError as exc:
        raise SnapshotError(exc.detail, where=_join(where, exc.where)) from None


def _read_conversation(item: object, now: int, order: int, seq: int, complete: bool) -> ConvRecord:
    data = _table(item, "", CONV_KEYS if complete else CONV_REQUIRED, CONV_KEYS)
    get = data.get
    conv = ConvRecord(_ident(data["id"], "id"))
    conv.state = _choice(ConversationState, data["state"], "state")
    request = get("request")
    if request is not None:
        if not isinstance(request, list) or len(request) != 2:
            _fail("request", f"must be [instant, order] or null, got {show(request)}")
        at = _instant(request[0], "request[0]", now)
        number = _integer(request[1], "request[1]", 1, order)
        conv.request = (0, at, number, conv.id)  # the priority is read below
    conv.scope = _scope(get("scope"), "scope")
    conv.agent = _maybe_ident(get("agent"), "agent")
    conv.declined = _idents(get("declined", _NO_LIST), "declined")
    conv.missed = _idents(get("missed", _NO_LIST), "missed")
    timers = get("timers")
    if timers is not None or complete:
        if not isinstance(timers, list) or len(timers) != len(TIMERS):
            _fail("timers", f"must be a list of {len(TIMERS)} deadlines, got {show(timers)}")
        for kind, (name, value) in enumerate(zip(TIMERS, timers, strict=True)):
            if value is None:
                continue
            timer = _deadline(value, f"timers[{kind}] ({KINDS[kind]})", kind, now, seq)
            if timer is not None:
                setattr(conv, name, (timer[0], conv.id))
    queue_pos = get("queue_pos")
    conv.queue_pos = None if queue_pos is None else _integer(queue_pos, "queue_pos", 1)
    conv.queue_at = _maybe_instant(get("queue_at"), "queue_at", now)
    conv.card_until = _maybe_instant(get("card_until"), "card_until")
    conv.card_agent = _maybe_ident(get("card_agent"), "card_agent")
    conv.rated = _flag(get("rated", _DEFAULT_RATED), "rated")
    conv.closed = _maybe_instant(get("closed"), "closed", now)
    conv.forget = _maybe_instant(get("forget"), "forget")
    conv.user = _maybe_ident(get("user"), "user")
    language = get("language")
    if language is not None and tag_fault(language):
        _fail("language", str(tag_fault(language)))
    conv.language = language
    priority = _integer(get("priority", _DEFAULT_PRIORITY), "priority", -PRIORITY - 1, PRIORITY)
    conv.preferred = _maybe_ident(get("preferred"), "preferred")
    if conv.request is not None:  # Q1: the priority comes first in the queue's order
        _none, at, number, conv_id = conv.request
        conv.request = (-priority, at, number, conv_id)
    _check_conversation(conv)
    return conv


def _check_conversation(conv: ConvRecord) -> None:
    """What a conversation's state says of its other fields (places relative to it)."""
    state = conv.state
    for kind, name in enumerate(TIMERS):
        pending = getattr(conv, name) is not None
        if pending and kind not in ALLOWED_TIMERS[state]:
            _fail(
                f"timers[{kind}]",
                f"a {state.value} conversation has no {KINDS[kind]} deadline",
            )
        if not pending and kind in REQUIRED_TIMERS.get(state, ()):
            _fail(
                f"timers[{kind}]",
                f"a {state.value} conversation has a {KINDS[kind]} deadline",
            )
    # Each field must be set in some states, null in others, and either when closed.
    for field, present in (
        ("request", (S.AWAITING_ANSWER, S.WAITING, S.OFFERED, S.SERVED)),
        ("scope", (S.WAITING, S.OFFERED, S.SERVED)),
        ("agent", (S.OFFERED, S.SERVED)),
    ):
        if state is S.CLOSED:
            continue
        is_set = getattr(conv, field) is not None
        if is_set != (state in present):
            _fail(field, f"must be {'null' if is_set else 'set'} when {state.value}")
    told = conv.queue_pos is not None
    if told != (conv.queue_at is not None) or (told and state is not S.WAITING):
        _fail("queue_pos", "and queue_at are set together, and only while waiting")
    closed = state is S.CLOSED
    if closed != (conv.closed is not None) or closed != (conv.forget is not None):
        _fail(
            "closed",
            f"and forget must be {'set' if closed else 'null'} when {state.value}",
        )
    last = max(conv.closed or 0, conv.card_until or 0)
    if closed and conv.forget is not None and conv.forget < last:
        _fail("forget", "is before the closing or the card's expiry")
    if (conv.card_until is None) != (conv.card_agent is None):
        _fail("card_agent", "and card_until are set together")
    if conv.rated and conv.card_until is None:
        _fail("rated", "a conversation rated without a card")


def _check_references(engine: Engine) -> None:
    """What agents and conversations say of each other. (Not whether a conversation
    fits the settings: an offer under automatic service, a webhook answer awaited under
    another strategy and a user waiting for a group the settings dropped are all states
    a settings update leaves, and the desk goes on with them.)"""
    agents, convs = engine.agents, engine.convs
    served: dict[str, int] = dict.fromkeys(agents, 0)
    for number, conv in enumerate(convs.values()):
        where = _Place("conversations", number, conv.id)
        for field in ("agent", "card_agent"):
            agent_id = getattr(conv, field)
            if agent_id is not None and agent_id not in agents:
                _fail(f"{where}.{field}", f"names an unknown agent {show(agent_id)}")
        if conv.state is S.OFFERED:
            holder = agents[conv.agent or ""]
            if conv.id not in (holder.offers or ()):
                _fail(f"{where}.agent", f"agent {show(holder.id)} does not list this offer")
        if conv.state is S.SERVED:
            served[conv.agent or ""] += 1
    for number, agent in enumerate(agents.values()):
        where = _Place("agents", number, agent.id)
        for conv_id in sorted(agent.offers or ()):
            offered = convs.get(conv_id)
            if offered is None or offered.state is not S.OFFERED or offered.agent != agent.id:
                _fail(f"{where}.offers", f"lists {show(conv_id)}, which is not offered to it")
        if agent.t_reassign is not None and not served[agent.id]:
            _fail(f"{where}.reassign", "an agent serving nobody hands nothing over (A6)")
        if agent.offers and agent.status is not AgentState.ONLINE:
            _fail(f"{where}.offers", f"an agent {agent.status.value} holds no offers (A4)")
        expected = served[agent.id] + len(agent.offers or ())
        if agent.load != expected:
            _fail(f"{where}.load", f"is {agent.load}, but it serves and holds {expected}")


def _upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """A format-1 snapshot in format 2: the fields it lacked take the values they meant."""
    upgraded = dict(data)
    agents, convs = data.get("agents"), data.get("conversations")
    if isinstance(agents, list):
        upgraded["agents"] = [
            {**FORMAT_1_AGENT, **item} if isinstance(item, dict) else item for item in agents
        ]
    if isinstance(convs, list):
        upgraded["conversations"] = [_upgrade_conversation(item) for item in convs]
    return upgraded


def _upgrade_conversation(item: object) -> object:
    if not isinstance(item, dict):
        return item
    upgraded = {**FORMAT_1_CONV, **item}
    timers = item.get("timers")
    if isinstance(timers, list) and len(timers) == len(TIMERS) - 1:
        upgraded["timers"] = [*timers, None]  # no reminder in format 1
    return upgraded


def load_state(engine: Engine, data: object) -> None:
    """Put the state of ``data`` into the new ``engine``, rebuilding its indexes.

    Raises :class:`SnapshotError` naming the record and field when anything is amiss;
    the engine is then left empty.
    """
    try:
        _load(engine, data)
    except SnapshotError:
        engine.agents.clear()
        engine.convs.clear()
        raise
    engine.rebuild()


def _load(engine: Engine, data: object) -> None:
    if not isinstance(data, dict):
        _fail("", f"a snapshot is an object, got {show(data)}")
    version = data.get("format")
    if version not in (1, 2, FORMAT) or isinstance(version, bool):
        _fail(
            "format",
            f"snapshot format {show(version)} is not 1, 2 or {FORMAT}, which this version reads",
        )
    if version == 1:
        data = _upgrade(data)
    complete = version != FORMAT  # formats 1 (upgraded) and 2 write every field
    top = _table(data, "", TOP_KEYS, TOP_KEYS | {"settings_before"})
    now_value = top["now"]
    now = None if now_value is None else _instant(now_value, "now")
    order = _integer(top["order"], "order")
    seq = _integer(top["seq"], "seq", 0, ORDER_MASK >> 3)
    rebalance = _flag(top["rebalance"], "rebalance")
    for name in ("agents", "conversations"):
        if not isinstance(top[name], list):
            _fail(name, f"must be a list, got {show(top[name])}")
        if now is None and top[name]:
            _fail(name, "must be empty when now is null (a desk that has had no event)")
    latest = LATEST if now is None else now
    for number, item in enumerate(top["agents"]):
        agent = _agent(item, f"agents[{number}]", latest, seq)
        if agent.id in engine.agents:
            _fail(f"agents[{number}].id", f"repeats {show(agent.id)}")
        engine.agents[agent.id] = agent
    for number, item in enumerate(top["conversations"]):
        conv = _conversation(item, f"conversations[{number}]", latest, order, seq, complete)
        if conv.id in engine.convs:
            _fail(f"conversations[{number}].id", f"repeats {show(conv.id)}")
        if conv.scope is not None:
            conv.scope = engine.intern(conv.scope)
        engine.convs[conv.id] = conv
    engine.now, engine.order, engine.deadlines.seq = now, order, seq
    engine.rebalance = rebalance
    if "settings_before" in top:
        settings = engine.settings
        try:
            engine.configure(load_settings(top["settings_before"]))
        except SettingsError as exc:
            _fail("settings_before", str(exc))
        engine.update(settings)
    _check_references(engine)
