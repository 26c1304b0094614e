"""Beyond one machine (issue 21): embedding and batch matching on Ray, the profile-sharded index.

Everything here needs the optional ``ray`` extra (``pip install 'ke-matcher[ray]'``) and imports
Ray only when it runs; without an address Ray starts on this machine and stops afterwards.
"""
