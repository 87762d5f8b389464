"""What the window does beyond showing events: background jobs and the checkpoint actions."""
