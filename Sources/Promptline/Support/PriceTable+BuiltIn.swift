extension PriceTable {
    /// The built-in price table: public list prices in US dollars per million tokens, dated.
    ///
    /// Kept as a JSON document (the same format `--prices FILE` takes) embedded in the source
    /// rather than as a SwiftPM resource: on Linux a resource bundle sits beside the executable,
    /// and a `promptline` binary copied elsewhere would stop at `Bundle.module`. Edit the figures
    /// here; `PriceTableTests` checks the document parses and every family is priced.
    static let builtInDocument = #"""
        {
          "as_of": "2026-11-30",
          "source": "Anthropic public list prices (promptline issue 9)",
          "currency": "USD per million tokens",
          "batch_multiplier": 0.5,
          "cache_write_5m_multiplier": 1.25,
          "cache_write_1h_multiplier": 2.0,
          "cache_read_multiplier": 0.1,
          "models": {
            "claude-fable-5-1": {"input": 10, "output": 50, "cache_read": 0.25},
            "claude-mythos-5-1": {"input": 10, "output": 50, "cache_read": 0.25},
            "claude-fable-5": {"input": 10, "output": 50},
            "claude-mythos-5": {"input": 10, "output": 50},
            "claude-opus-5-5": {"input": 4, "output": 20},
            "claude-opus-5": {"input": 5, "output": 25},
            "claude-opus-4-8": {"input": 5, "output": 25},
            "claude-opus-4-7": {"input": 5, "output": 25},
            "claude-opus-4-6": {"input": 5, "output": 25},
            "claude-opus-4-5": {"input": 5, "output": 25},
            "claude-opus-4-1": {"input": 15, "output": 75},
            "claude-opus-4": {"input": 15, "output": 75},
            "claude-opus-4-0": {"input": 15, "output": 75},
            "claude-3-opus": {"input": 15, "output": 75},
            "claude-sonnet-5-5": {"input": 2, "output": 10, "cache_read": 0.10},
            "claude-sonnet-5": {"input": 2, "output": 10},
            "claude-sonnet-4-6": {"input": 3, "output": 15},
            "claude-sonnet-4-5": {"input": 3, "output": 15},
            "claude-sonnet-4": {"input": 3, "output": 15},
            "claude-sonnet-4-0": {"input": 3, "output": 15},
            "claude-3-7-sonnet": {"input": 3, "output": 15},
            "claude-haiku-5-5": {"input": 0.10, "output": 0.50,
                                 "long_context": {"above_input_tokens": 100000, "input": 0.50, "output": 2.50}},
            "claude-haiku-4-5": {"input": 1, "output": 5},
            "claude-3-5-haiku": {"input": 0.80, "output": 4},
            "claude-3-haiku": {"input": 0.25, "output": 1.25}
          }
        }
        """#
}
