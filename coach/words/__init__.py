"""What the coach and the athlete say: the commands' words, numbers, logged values, time calls."""
