"""Evaluation: read a dataset, answer every problem (in parallel, resumably), report the figures.

Typical use::

    run = evaluate(load_dataset("proofwriter-d5-owa-dev.json"), EvalConfig(parser="grammar"))
    summarise(run.records, run.seconds).accuracy
"""

from linc.eval.datasets import Dataset, DatasetIssue, DatasetReader, load_dataset
from linc.eval.report import Summary, summarise, write_plots, write_summary
from linc.eval.runner import EvalConfig, EvalRun, evaluate
from linc.eval.store import ResumeError, RunStore

__all__ = [
    "Dataset",
    "DatasetIssue",
    "DatasetReader",
    "EvalConfig",
    "EvalRun",
    "ResumeError",
    "RunStore",
    "Summary",
    "evaluate",
    "load_dataset",
    "summarise",
    "write_plots",
    "write_summary",
]
