"""The validated record every input becomes: a trial with its sources, arms and facts."""
