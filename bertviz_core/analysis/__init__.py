"""Pure analyses of traces and models: head metrics and comparison, statistics, positions, syntax, interventions, compression, contributions."""
