"""Web views of the evidence feature."""

from flask import Blueprint

bp = Blueprint("evidence", __name__)
