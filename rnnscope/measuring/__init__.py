"""The torch side's measurements: the probe (states, gates, gradient flow, connectivity), flow numbers and memory."""
