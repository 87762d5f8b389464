"""The engine: trainer (a generator of events), commands (what can be asked of it), events, runlog
(the run directory), checkpoints and distributed (torchrun)."""
