"""Strings for /contributions on compressed models (and other follow-ups of the export work)."""

TEXT = {
    "contrib_na_model": {
        "en": "{method} does not apply to {model}. {reason} Raw attention, rollout and attention flow work on it.",
        "zh": "{method}不适用于 {model}。{reason} 原始注意力、rollout 和注意力流仍可用于该模型。",
    },
}
