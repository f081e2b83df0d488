FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY core core
COPY replacements replacements
COPY shopify shopify
COPY web web
COPY worker worker
COPY ops ops
COPY Procfile .
RUN useradd --create-home app && chown -R app /app
USER app
EXPOSE 8000
