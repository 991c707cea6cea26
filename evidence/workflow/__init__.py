"""Workflow: the editor's commands that drive the pipeline: serve, article add, todo, accept.

It sits above :mod:`evidence.pipeline` because it calls it (the preview rebuilds on change;
todo lists what the check found).
"""

from typing import TYPE_CHECKING

from ..lazy import exports

if TYPE_CHECKING:  # the names' homes, for readers and type checkers; imported on first use (see ..lazy)
    from .accept import Accepted, accept
    from .article_add import AddedArticle, add_article
    from .serve import HOST, Preview
    from .todo import TodoItem, todo_items

__getattr__ = exports(__name__, {
    "Accepted": ".accept", "accept": ".accept", "AddedArticle": ".article_add", "add_article": ".article_add",
    "HOST": ".serve", "Preview": ".serve", "TodoItem": ".todo", "todo_items": ".todo"
})

__all__ = ["HOST", "Accepted", "AddedArticle", "Preview", "TodoItem", "accept", "add_article", "todo_items"]
