#pragma once
// How fast the core is right now, apart from the engine: this VM's host shares the physical
// core with other work for minutes at a time, and then every program that issues several
// instructions a cycle (the engine runs over three) slows by 20-35 %, while one that waits on a
// dependent chain does not. Each scenario's line carries the probe's time taken before and
// after its replays, so that a reader can tell a slow period from a slow engine.

namespace ghx::bench {

// Nanoseconds per iteration of eight independent integer chains (24 shifts, xors and adds an
// iteration, some four a cycle at full speed): the best of a few tries of ~15 ms each.
double core_probe_ns();

}  // namespace ghx::bench
