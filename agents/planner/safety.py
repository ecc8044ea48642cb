"""Requests the agent has no tool for: running code or commands, files, the network.

The planner's only tools take validated configs, so such a request is answered with a polite
refusal. Words that name a column are data, not instructions: they are masked before this
check, so a column called "ignore previous instructions" is just a column.
"""

from __future__ import annotations

import re

REFUSAL = (
    "I can't do that: I have no tools to run code or shell commands, read or write files, or "
    "reach the network. I can explore, train, tune and forecast on your datasets; "
    "tell me what you'd like to learn from the data."
)

_SHELL_WORDS = (
    r"rm|ls|cat|curl|wget|sudo|chmod|chown|bash|sh|zsh|python3?|pip3?|npm|echo|nc|ssh|scp|"
    r"kill|pkill|mkfs|dd|mv|cp|touch|env|export|powershell|cmd"
)
_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"`\s*(?:{_SHELL_WORDS})\b[^`]*`",
        r"`[^`]*(?:\$\(|&&|\|\||;\s*\w|>\s*/|\bimport\s+\w|\bexec\(|\beval\(|os\.|subprocess)[^`]*`",
        r"\b(?:run|execute|exec|eval|evaluate|launch|invoke)\s+(?:this|the|my|some|a|an|that)?\s*"
        r"(?:following\s+)?(?:code|command|commands|script|shell|snippet|program|python|bash|"
        r"sql|query|function|cell|notebook|line)\b",
        r"\b(?:run|execute|exec|eval)\s*(?::|this:|`)",
        r"\b(?:shell|terminal|command line|command-line|subprocess|os\.system|__import__|"
        r"import os|import subprocess|system prompt|reverse shell|rm -rf|sudo)\b",
        r"\b(?:curl|wget|ssh|ftp|netcat)\b",
        r"\bpip install\b|\bnpm install\b|\bapt(?:-get)? install\b",
        r"\bhttps?://|\bwww\.\w|\bftp://",
        r"\b(?:download|upload|fetch|send|post|email|e-mail|mail|transmit|exfiltrate)\b.{0,40}"
        r"\b(?:url|website|web|internet|server|http|endpoint|webhook|address|api|email|inbox)\b",
        r"\b(?:access|browse|search|call|ping|connect to)\s+(?:the\s+)?"
        r"(?:internet|web|network|url|website|api|server)\b",
        r"\b(?:read|open|write|delete|remove|cat|print|show|list|load|modify|overwrite|dump)\s+"
        r"(?:(?:the|a|all|my|this|your|every|of)\s+)*(?:contents of\s+)?(?:file|files|directory|"
        r"folder|disk|filesystem|file system|home directory|config file|env file|\.env)\b",
        r"(?:^|\s)(?:/etc/|/home/|/root/|/var/|/usr/|/tmp/|~/|\.\./|[a-z]:\\)",
        r"\b\w+\.(?:py|sh|exe|bat|ps1|pem|key)\b",
        r"\b(?:environment variables?|env vars?|api keys?|passwords?|credentials|secrets?|"
        r"private key)\b",
        r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:the\s+|your\s+)?"
        r"(?:previous|prior|above|earlier|system|original)\s+(?:instructions|prompts?|rules)\b",
        # "ignore the above", "forget your rules": an instruction about instructions
        r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|everything\s+)?(?:of\s+)?"
        r"(?:the\s+|that\s+)?(?:above|previous|prior|earlier)\b(?!\s+(?:model|run|plan|chart))",
        r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+)?(?:of\s+)?(?:your|the|these|"
        r"those|my|any)\s+(?:\w+\s+)?(?:instructions|rules|guidelines|guardrails|restrictions|"
        r"prompts?)\b",
        r"\b(?:reveal|print|show|repeat|leak|output|tell me)\s+(?:me\s+)?(?:your|the)\s+"
        r"(?:\w+\s+)?(?:instructions|prompt|rules|guidelines)\b",
        r"\b(?:developer|dev|god|jailbreak|dan|admin|debug|unrestricted)\s+mode\b|\bjailbreak",
        # sending something to an address; an address merely mentioned is no request
        r"\b(?:e-?mail|mail|send|forward|post)\b[^.?!]*\bto\s+[\w.+-]+@[\w-]+\.[a-z]{2,}",
        r"\b(?:disable|turn off|remove|bypass)\s+(?:all\s+|your\s+|the\s+)*(?:safety|"
        r"checks|filters|guardrails|restrictions|validation)\b",
        r"\b(?:drop|truncate)\s+table\b|\bdelete\s+from\b|\bdrop\s+database\b",
        r"\b(?:delete|wipe|erase|destroy)\s+(?:(?:the|all|every|my|your|of)\s+)*"
        r"(?:database|server|datasets?|data|runs?|users|tables?|models|files|everything)\b",
        r"\b(?:remove|drop|clear|purge)\s+(?:(?:the|all|every|my|your|of)\s+)*"
        r"(?:database|server|datasets?|files|everything)\b",
        r"\bos\.(?:environ|system|popen|remove|getenv|listdir|walk)\b|\b(?:subprocess|eval|exec|"
        r"open|__import__)\s*\(|\bprint\s*\(",
    )
)


def refusal_reason(masked_message: str) -> str | None:
    """The refusal to give when the message asks for something no tool does, else None.

    `masked_message` is the message with column names blanked out.
    """
    for pattern in _PATTERNS:
        if pattern.search(masked_message):
            return REFUSAL
    return None


def mask(message: str, spans: list[tuple[int, int]]) -> str:
    """`message` with the character ranges `spans` replaced by spaces."""
    chars = list(message)
    for start, end in spans:
        for k in range(start, min(end, len(chars))):
            chars[k] = " "
    return "".join(chars)
