// The fleet tests start up to ten client processes each; run the test classes one at a time, so that their start-up
// bursts do not overlap and starve each other or the test projects running beside this one on a two-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
