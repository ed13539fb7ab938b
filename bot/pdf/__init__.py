"""The parts of the surgeon's PDF, which bot.pdf_report puts together."""
