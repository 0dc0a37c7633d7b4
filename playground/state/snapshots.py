"""Parameters at earlier updates, for the Replay view: bounded in count and in bytes, and
always spanning the whole run."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_SNAPSHOTS = 60
SNAPSHOT_BUDGET = 8_000_000  # bytes of parameters kept for replay


@dataclass
class Snapshots:
    """Parameters at earlier updates, for replay. Bounded: when full, every other snapshot
    is dropped and the spacing doubles (so they always span the whole run)."""
    capacity: int
    every: int = 1
    updates: list = field(default_factory=list)
    params: list = field(default_factory=list)

    @classmethod
    def for_net(cls, net):
        """Room for as many of ``net``'s parameter sets as SNAPSHOT_BUDGET holds (at most
        MAX_SNAPSHOTS, an even count ≥ 2), with its current parameters as the first."""
        per_snapshot = max(1, sum(p.nbytes for p in net.params()))
        capacity = max(2, min(MAX_SNAPSHOTS, SNAPSHOT_BUDGET // per_snapshot))
        snapshots = cls(capacity=capacity - capacity % 2)
        snapshots.offer(0, net)
        return snapshots

    def offer(self, step, net):
        if step % self.every:
            return
        if len(self.updates) >= self.capacity:
            self.updates = self.updates[::2]
            self.params = self.params[::2]
            self.every *= 2
            if step % self.every:
                return
        self.updates.append(step)
        self.params.append([p.copy() for p in net.params()])


def outputs_at(net, params, points):
    """What a snapshot's parameters predict at some points: class probabilities (n, K), or
    for a regression network its values (n, 1). ``net`` is not changed."""
    net = net.copy()
    net.set_params(params)
    return net.forward(points).P.copy()
