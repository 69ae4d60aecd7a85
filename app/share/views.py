"""Web views of the share feature."""

from flask import Blueprint

bp = Blueprint("share", __name__)
