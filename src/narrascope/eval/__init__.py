"""Evaluation of narrascope stages against gold annotations."""
