"""Web views of the main feature."""

from flask import Blueprint

bp = Blueprint("main", __name__)
