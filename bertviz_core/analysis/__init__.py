"""Pure analyses of traces and models: head metrics (metrics), common units of two traces (words), model
comparison (compare, cka), the students' provenance, step-by-step recomputation (steps), statistics, positions,
syntax, interventions, compression and contributions (a package: one module per method)."""
