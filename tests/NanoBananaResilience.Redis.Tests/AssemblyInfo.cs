// The fleet tests start up to ten client processes each: one collection for the whole assembly runs the test classes
// one at a time, so that their start-up bursts do not overlap and starve each other or the test projects running
// beside this one on a two-core machine.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
