package io.tokencache.http.impl;

/** Media types the endpoint accepts. */
enum ContentTypes {
  FORM, JSON, OTHER;

  static ContentTypes of(String header) {
    if (header == null) {
      return OTHER;
    }
    int semi = header.indexOf(';');
    String media = (semi < 0 ? header : header.substring(0, semi)).trim();
    if (media.equalsIgnoreCase("application/x-www-form-urlencoded")) {
      return FORM;
    }
    if (media.equalsIgnoreCase("application/json")) {
      return JSON;
    }
    return OTHER;
  }
}
