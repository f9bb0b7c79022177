// Test classes run one after the other. When the engine tests' host and several portal hosts (each with
// its own engine, and llama.cpp's process-wide backend, log callback and library resolver) started and
// stopped side by side in this one test process, the engine tests' scheduler was seen to stop ("The
// inference engine is not running") and the suite to hang. A portal process hosts one engine, so this is
// a property of the test process; the root cause is still to be found (see the closing note).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
