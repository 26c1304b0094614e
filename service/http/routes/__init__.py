"""The JSON API v1, one router per resource; :mod:`service.http.main` includes them all."""
