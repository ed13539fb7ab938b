# BackTrack for compose.yaml (docs/DEPLOY.md): the bot with the PostgreSQL extra, as a user
# without a login that owns nothing but its working folder.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY flows ./flows
COPY storage ./storage
RUN pip install --no-cache-dir '.[postgres]' && useradd --system --home /app backtrack \
    && chown backtrack /app
USER backtrack
CMD ["backtrack", "run"]
