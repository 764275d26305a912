"""Hostile submission: does not even compile."""
import socket

def serve(port)
    server = socket.socket()
