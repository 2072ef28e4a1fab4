// Every question the explorer asks goes through /v1 with the caller's key and purpose, so the
// service decides access and masking exactly as it does for any other client.

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export class Api {
  constructor() {
    this.key = sessionStorage.getItem("credgraph.key") || "";
    this.purpose = sessionStorage.getItem("credgraph.purpose") || "";
    this.calls = 0;
  }

  setKey(key) {
    this.key = (key || "").trim();
    sessionStorage.setItem("credgraph.key", this.key);
  }

  setPurpose(purpose) {
    this.purpose = (purpose || "").trim();
    sessionStorage.setItem("credgraph.purpose", this.purpose);
  }

  headers(json) {
    const h = { Accept: "application/json", "X-Caller": "explorer" };
    if (this.key) h.Authorization = `Bearer ${this.key}`;
    if (this.purpose) h["X-Purpose"] = encodeURIComponent(this.purpose);
    if (json) h["Content-Type"] = "application/json";
    return h;
  }

  async get(path, params = {}) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value === undefined || value === null || value === "") continue;
      for (const one of Array.isArray(value) ? value : [value]) query.append(name, one);
    }
    const text = query.toString();
    return this.send(text ? `${path}?${text}` : path, { headers: this.headers(false) });
  }

  async post(path, body) {
    return this.send(path, {
      method: "POST",
      headers: this.headers(true),
      body: JSON.stringify(body),
    });
  }

  async send(url, init) {
    this.calls += 1;
    const response = await fetch(url, init);
    if (response.ok) return response.json();
    let error = {};
    try {
      error = (await response.json()).error || {};
    } catch {
      // not JSON: the status says enough
    }
    throw new ApiError(
      response.status,
      error.code || String(response.status),
      error.message || response.statusText,
      error.field,
    );
  }
}
