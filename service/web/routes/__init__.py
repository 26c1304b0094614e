"""The web pages, one router per part of the product; :mod:`service.web.main` includes them."""
