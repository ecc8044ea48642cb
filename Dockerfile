# The image compose.yaml builds: the same package the README installs.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service service
COPY agents agents
COPY ml_backend ml_backend
COPY mlchat_client mlchat_client
RUN pip install --no-cache-dir .
ENV MLCHAT_HOME=/data
# A container listens beyond loopback, so every request needs a key (`mlchat keys create`).
ENV MLCHAT_AUTH=required
EXPOSE 8000
CMD ["mlchat", "api", "--host", "0.0.0.0"]
