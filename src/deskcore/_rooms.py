"""Agents with room, per scope, in R5 order; and who staffs each scope (A2).

Per scope (everyone, each group) a heap holds the R5 keys
(:func:`~deskcore.rank_key`) of the agents that are online with room: the best agent is
the smallest key not barred by S3 or S4. A key change gives the agent a new key object
and leaves its old entries stale (an entry is live while it *is* its agent's key); stale
entries are dropped when they come to the top, and a heap over twice the agents is
compacted, so each change costs O(log n) amortised. Counts of the agents that staff each
scope answer R4 and Q5 at once.

:class:`Rooms` is the engine's collaborator for all of this; a reference implementation
(the benchmarks' linear scan) subclasses it and is passed to the engine instead.
"""

from __future__ import annotations

import heapq
from typing import Any

from ._members import OFFLINE, ONLINE
from ._policy import AgentView
from ._ranking import rank
from ._records import ALL, NOBODY, AgentRecord, ConvRecord, ScopeKey, compact_dict, group_key
from ._time import from_us

__all__ = ["Rooms"]

Key = tuple[Any, ...]
_SLACK = 64  # a room heap is compacted when over twice the agents plus this


class Rooms:
    """The room index and the staffing counts over a desk's agents."""

    def __init__(self, agents: dict[str, AgentRecord], default_capacity: int) -> None:
        self.agents = agents
        self.default_capacity = default_capacity  # queue.max_concurrent (A2)
        self.heaps: dict[ScopeKey, list[Key]] = {ALL: []}
        self.staff: dict[ScopeKey, int] = {ALL: 0}
        self.members: dict[str, int] = {}  # known agents in each group (R3)
        # One copy of each group set and of each group's scope key, while some agent has it.
        self._groupsets: dict[frozenset[str], tuple[frozenset[str], int]] = {}
        self._keys: dict[str, ScopeKey] = {}
        self._dropped = 0  # entries dropped since the tables were last compacted

    # -- an agent's figures ------------------------------------------------------------------

    def capacity(self, agent: AgentRecord) -> int:
        """A2: the agent's capacity, else ``queue.max_concurrent``."""
        return self.default_capacity if agent.capacity is None else agent.capacity

    @staticmethod
    def idle_since(agent: AgentRecord) -> int:
        """R5: when the agent's load last fell to 0, or it came online if that is later."""
        return agent.online if agent.zero is None else max(agent.zero, agent.online)

    def staffs(self, agent: AgentRecord) -> bool:
        """A2: whether the agent staffs its scopes (online or on break, capacity ≥ 1)."""
        return agent.status is not OFFLINE and self.capacity(agent) >= 1

    def view(self, agent: AgentRecord) -> AgentView:
        """What routing knows of the agent, as the pure policies take it."""
        return AgentView(
            id=agent.id,
            status=agent.status,
            capacity=self.capacity(agent),
            load=agent.load,
            groups=agent.groups,
            idle_since=from_us(self.idle_since(agent)),
            last_given=None if agent.given is None else from_us(agent.given),
        )

    def set_groups(self, agent: AgentRecord, groups: frozenset[str]) -> None:
        """A3: replace the agent's groups, keeping the count of members of each group.

        A group left with no member is forgotten (its heap, counts and key), and so is a
        set of groups no agent has any more, so that memory does not grow with the names
        agents have passed through.
        """
        members, sets = self.members, self._groupsets
        old = agent.groups
        for group in old:
            members[group] -= 1
            if not members[group]:
                self._forget_group(group)
        if old:
            shared, users = sets[old]
            if users == 1:
                del sets[old]
                self._dropped += 1
            else:
                sets[old] = (shared, users - 1)
        if groups:
            shared, users = sets.get(groups, (groups, 0))
            sets[groups] = (shared, users + 1)
            groups = shared
        agent.groups = groups
        for group in groups:
            members[group] = members.get(group, 0) + 1
        if self._dropped > 1024 and self._dropped > len(members):
            self._dropped = 0
            for table in (members, sets, self._keys, self.heaps, self.staff):
                compact_dict(table)

    def _forget_group(self, group: str) -> None:
        """No agent is in ``group`` any more: nothing of it needs keeping."""
        key = group_key(group)
        del self.members[group]
        self.heaps.pop(key, None)  # only stale entries: its agents got new keys
        self._keys.pop(group, None)
        self._dropped += 1

    def intern(self, key: ScopeKey) -> ScopeKey:
        """One copy of each scope key that many conversations share: everyone's, and
        each group's while some agent is in it; an agent list is each its own."""
        if key == ALL:
            return ALL
        if key[0] == "g":
            return self.scope_key(key[1])
        return key

    def scope_key(self, group: str) -> ScopeKey:
        """The scope key of ``group``, one copy shared while some agent is in it."""
        key = self._keys.get(group)
        if key is None:
            key = group_key(group)
            if group in self.members:
                self._keys[group] = key
        return key

    def has_members(self, group: str) -> bool:
        """Whether some known agent belongs to ``group``."""
        return self.members.get(group, 0) > 0

    # -- the room heaps ----------------------------------------------------------------------

    def unindex(self, agent: AgentRecord) -> None:
        """Take the agent out of the room heaps (its entries go stale)."""
        agent.key = None

    def reindex(self, agent: AgentRecord) -> None:
        """Put the agent in the room heaps under its current R5 key, or take it out."""
        capacity = self.default_capacity if agent.capacity is None else agent.capacity
        load = agent.load
        if agent.status is not ONLINE or load >= capacity:
            key = None
        else:
            key = rank(agent.id, load, capacity, self.idle_since(agent), agent.given)
        if key == agent.key:
            return  # the same entries stay live
        agent.key = key  # a new key object: every older entry of the agent goes stale
        if key is None:
            return
        heaps = self.heaps
        limit = 2 * len(self.agents) + _SLACK
        room = heaps[ALL]
        heapq.heappush(room, key)
        if len(room) > limit:
            self._compact(room)
        for group in agent.groups:
            room = heaps.setdefault(group_key(group), [])
            heapq.heappush(room, key)
            if len(room) > limit:
                self._compact(room)

    def change_load(self, agent: AgentRecord, delta: int, now: int) -> None:
        """Add ``delta`` to the agent's load (A2) and file it under its new key."""
        load = agent.load = agent.load + delta
        if load == 0:
            agent.zero = now
        self.reindex(agent)

    def _compact(self, room: list[Key]) -> None:
        """Drop the stale entries of a room heap: at least half of it, so O(1) amortised."""
        agents = self.agents
        room[:] = [entry for entry in room if agents[entry[-1]].key is entry]
        heapq.heapify(room)

    def _best(self, room: list[Key]) -> Key | None:
        """The smallest live entry of a room heap, dropping stale ones on the way."""
        agents = self.agents
        while room:
            top = room[0]
            if agents[top[-1]].key is top:
                return top
            heapq.heappop(room)
        return None

    def in_scope(self, agent: AgentRecord, key: ScopeKey) -> bool:
        """Whether the agent belongs to the scope (R3)."""
        if key[0] == "g":
            return key[1] in agent.groups
        if key[0] == "a":
            return agent.id in key[1:]
        return True

    def preferred(self, conv: ConvRecord, key: ScopeKey) -> AgentRecord | None:
        """R5: the request's preferred agent, when it is in the scope, online with room,
        and not barred by S3 or S4; else ``None``."""
        agent = self.agents.get(conv.preferred or "")
        if agent is None or agent.key is None or not self.in_scope(agent, key):
            return None
        if agent.id in conv.declined or agent.id in conv.missed:
            return None
        return agent

    def choose(self, conv: ConvRecord, key: ScopeKey) -> AgentRecord | None:
        """R5 with S3/S4: the preferred agent or the best agent with room in the scope,
        or ``None``."""
        if conv.preferred is not None:
            preferred = self.preferred(conv, key)
            if preferred is not None:
                return preferred
        agents = self.agents
        room: list[Key]
        if key[0] == "a":
            members = (agents.get(member) for member in key[1:])
            room = [a.key for a in members if a is not None and a.key is not None]
            heapq.heapify(room)
        else:
            room = self.heaps.get(key) or []
        best = self._best(room)
        if best is None:
            return None
        if conv.declined is NOBODY and conv.missed is NOBODY:  # nobody is passed over
            return agents[best[-1]]
        # In R5 order: take entries off the heap until one fits, then put them back.
        taken: list[Key] = []
        fallback = chosen = None
        while room:
            entry = heapq.heappop(room)
            if agents[entry[-1]].key is not entry:
                continue  # stale: dropped
            taken.append(entry)
            agent_id = entry[-1]
            if agent_id in conv.declined:
                continue
            if agent_id in conv.missed:
                fallback = fallback or agent_id
                continue
            chosen = agent_id
            break
        for entry in taken:
            heapq.heappush(room, entry)
        chosen = chosen or fallback
        return None if chosen is None else agents[chosen]

    def heap_sizes(self) -> dict[ScopeKey, int]:
        """How many entries (live and stale) each room heap holds."""
        return {key: len(room) for key, room in self.heaps.items()}

    # -- staffing ----------------------------------------------------------------------------

    def restaff(self, agent: AgentRecord, staffed: bool, groups: frozenset[str]) -> None:
        """Move the agent's staffing counts from ``staffed`` in ``groups`` (before a change)
        to what it is now."""
        staff = self.staff
        if staffed:
            staff[ALL] -= 1
            for group in groups:
                key = group_key(group)
                left = staff[key] - 1
                if left:
                    staff[key] = left
                else:
                    del staff[key]  # nobody staffs it: no count kept
        if self.staffs(agent):
            staff[ALL] += 1
            for group in agent.groups:
                key = group_key(group)
                staff[key] = staff.get(key, 0) + 1

    def staffed_by_others(self, key: ScopeKey, agent: AgentRecord, barred: frozenset[str]) -> bool:
        """X2, A6: whether some agent other than ``agent`` and not in ``barred`` staffs
        the scope."""
        agents = self.agents
        if key[0] == "a":
            return any(
                member != agent.id
                and member not in barred
                and member in agents
                and self.staffs(agents[member])
                for member in key[1:]
            )
        count = self.staff.get(key, 0)
        if self.staffs(agent) and self.in_scope(agent, key):
            count -= 1
        for other in barred:
            record = agents.get(other)
            if (
                record is not None
                and other != agent.id
                and self.staffs(record)
                and self.in_scope(record, key)
            ):
                count -= 1
        return count > 0

    def staffed(self, key: ScopeKey) -> bool:
        """R4, Q5: whether some agent staffs the scope."""
        if key[0] == "a":
            agents = self.agents
            return any(member in agents and self.staffs(agents[member]) for member in key[1:])
        return self.staff.get(key, 0) > 0

    def rebuild(self) -> None:
        """Every agent's key and every staffing count afresh (settings or state replaced)."""
        self.heaps = {ALL: []}
        self.staff = {ALL: 0}
        self.members = {}
        self._groupsets = {}
        self._keys = {}
        for agent in self.agents.values():
            groups, agent.groups = agent.groups, frozenset()
            self.set_groups(agent, groups)
            agent.key = None
            self.reindex(agent)
            self.restaff(agent, False, frozenset())
