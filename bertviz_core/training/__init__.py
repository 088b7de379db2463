"""Training the in-house students (distillation from the bundled BERT)."""
