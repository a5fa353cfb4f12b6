"""Annotated reading: merge articles with their annotation files, for MkDocs or Zensical.

`markdown_extensions: [annotator]` loads the merge (annotator.extension); `annotator` is the
contributors' command (annotator.cli); see README.md for the pipeline.
"""


def makeExtension(**kwargs):  # noqa: N802 (Python-Markdown's name)
    from .extension import AnnotatorExtension

    return AnnotatorExtension(**kwargs)
