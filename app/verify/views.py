"""Web views of the verify feature."""

from flask import Blueprint

bp = Blueprint("verify", __name__)
