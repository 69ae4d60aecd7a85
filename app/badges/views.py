"""Web views of the badges feature."""

from flask import Blueprint

bp = Blueprint("badges", __name__)
