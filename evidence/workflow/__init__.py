"""Workflow: the editor's commands that drive the pipeline: serve, article add, todo, accept.

It sits above :mod:`evidence.pipeline` because it calls it (the preview rebuilds on change;
todo lists what the check found).
"""

from .accept import Accepted, accept
from .article_add import AddedArticle, add_article
from .serve import HOST, Preview
from .todo import TodoItem, todo_items

__all__ = ["HOST", "Accepted", "AddedArticle", "Preview", "TodoItem", "accept", "add_article", "todo_items"]
