"""Quality: metrics (plain functions), features (the classifier and Inception feature spaces),
evaluate (a game's metrics from fixed noise) and diagnostics (detectors over the metric stream)."""
