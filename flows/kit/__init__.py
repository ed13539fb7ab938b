"""What every flow and shell shares: screens, events, context, effects, Flow, callbacks."""
