// replaced by the metrics module's sources
