// Test classes run in parallel (xunit's default: one collection per class). They once ran one after
// the other because the engine's scheduler lost models attached before its loop thread had started,
// which happened when several hosts started side by side; InferenceScheduler now buffers from
// construction and fails every pending request when it stops (SchedulerLifecycleTests).
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerClass, DisableTestParallelization = false)]
