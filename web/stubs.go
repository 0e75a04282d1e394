package web

import "net/http"

// Handlers not written yet; each moves to its own file.

func (s *Server) front(w http.ResponseWriter, r *http.Request)           { s.notFound(w, r) }
func (s *Server) archive(w http.ResponseWriter, r *http.Request)         { s.notFound(w, r) }
func (s *Server) feed(w http.ResponseWriter, r *http.Request)            { s.notFound(w, r) }
func (s *Server) issue(w http.ResponseWriter, r *http.Request)           { s.notFound(w, r) }
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request)       { s.notFound(w, r) }
func (s *Server) subscribeSent(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
func (s *Server) confirmPage(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
func (s *Server) confirm(w http.ResponseWriter, r *http.Request)         { s.notFound(w, r) }
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
func (s *Server) bounceWebhook(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
