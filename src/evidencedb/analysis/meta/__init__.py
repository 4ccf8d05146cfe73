"""Meta-analysis: effect sizes per study, pooled by the models of R's metafor, to its numbers."""
