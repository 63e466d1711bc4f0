;;; llemma.el --- Checked Coq tactics from a llemma-prover server -*- lexical-binding: t; -*-

;; Version: 0.1
;; Package-Requires: ((emacs "26.1"))
;; Keywords: languages, tools

;;; Commentary:

;; Two commands for Coq proofs, served by `prove serve --env coq'
;; (its POST /suggest/coq):
;;
;; - `llemma-suggest': the server runs the proof up to point, asks its
;;   model for tactics there and runs each one; pick one of those that
;;   work (closing ones are marked) with `completing-read', and it is
;;   inserted at point.
;; - `llemma-prove': the server searches from point for the rest of the
;;   proof and checks the whole proof; its tactics are inserted at point.
;;
;; Both send the buffer's whole text and point, nothing else: they work
;; in any buffer, plain `coq-mode' or Proof General's, and need neither.
;; Only `url' and `json', which Emacs ships, are used.  See README.md.

;;; Code:

(require 'json)
(require 'seq)
(require 'subr-x)
(require 'url)
(require 'url-http)

;; set by url-http in the response buffer
(defvar url-http-end-of-headers)
(defvar url-http-response-status)

(defgroup llemma nil
  "Checked tactic suggestions from a llemma-prover server."
  :group 'tools
  :prefix "llemma-")

(defcustom llemma-server-url "http://127.0.0.1:6000"
  "Base URL of the `prove serve --env coq' server."
  :type 'string)

(defcustom llemma-token nil
  "Bearer token the server wants (`prove serve --token T'), or nil."
  :type '(choice (const :tag "None" nil) string))

(defcustom llemma-suggestions 8
  "How many suggestions `llemma-suggest' asks the server to check."
  :type 'integer)

(defcustom llemma-timeout 600
  "Seconds to wait for the server's answer (a search may take minutes)."
  :type 'number)

(defvar llemma-choose-function #'llemma-read-suggestion
  "Function that picks the suggestion `llemma-suggest' inserts.
It is called with the suggestions that work, best first (alists with
keys `tactic', `status' \"closes\" or \"goals\", and `goals'), and
returns one of them.  `llemma-read-suggestion' asks with
`completing-read'; `llemma-first-closing' takes the first one that
closes the goal without asking (for tests and keyboard macros).")

(defun llemma--answer (url)
  "The JSON object in the current response buffer from URL, as an alist.
An error status is a `user-error' with the server's one-line message."
  (let* ((status url-http-response-status)
         (start (or url-http-end-of-headers (point-min)))
         (json-object-type 'alist)
         (json-array-type 'list)
         (json-key-type 'symbol)
         (body (decode-coding-string
                (buffer-substring-no-properties start (point-max)) 'utf-8))
         (answer (ignore-errors (json-read-from-string body))))
    (cond ((and (eql status 200) (consp answer)) answer)
          ((and (consp answer) (alist-get 'error answer))
           (user-error "llemma: %s" (alist-get 'error answer)))
          (t (user-error "llemma: HTTP %s from %s" status url)))))

(defun llemma--request (prove)
  "Send the buffer's text and point to the server; its answer as an alist.
With PROVE non-nil, ask for a proof of the rest as well."
  (let* ((text (save-restriction
                 (widen)
                 (buffer-substring-no-properties (point-min) (point-max))))
         (offset (save-restriction (widen) (- (point) (point-min))))
         (body `((text . ,text)
                 (cursor (offset . ,offset))
                 (n . ,llemma-suggestions)
                 (prove . ,(if prove t :json-false))))
         (url (concat (string-trim-right llemma-server-url "/+")
                      "/suggest/coq"))
         (url-request-method "POST")
         (url-request-extra-headers
          `(("Content-Type" . "application/json")
            ,@(when llemma-token
                `(("Authorization" . ,(concat "Bearer " llemma-token))))))
         (url-request-data (encode-coding-string (json-encode body) 'utf-8))
         (buffer (condition-case err
                     (url-retrieve-synchronously url t t llemma-timeout)
                   (error (user-error "llemma: cannot reach %s: %s"
                                      url (error-message-string err))))))
    (unless buffer
      (user-error "llemma: no answer from %s within %s s" url llemma-timeout))
    (unwind-protect
        (with-current-buffer buffer (llemma--answer url))
      (kill-buffer buffer))))

(defun llemma--describe (suggestion)
  "What SUGGESTION does to the goal, in words."
  (let ((goals (alist-get 'goals suggestion)))
    (if (equal (alist-get 'status suggestion) "closes")
        "✓ closes the goal"
      (format "leaves %d goal%s" goals (if (= goals 1) "" "s")))))

(defun llemma-read-suggestion (suggestions)
  "Ask which of SUGGESTIONS to insert, in the server's order."
  (let* ((choices (mapcar (lambda (s)
                            (cons (format "%s    %s" (alist-get 'tactic s)
                                          (llemma--describe s))
                                  s))
                          suggestions))
         (table (lambda (string predicate action)
                  (if (eq action 'metadata)
                      '(metadata (display-sort-function . identity)
                                 (cycle-sort-function . identity))
                    (complete-with-action action choices string predicate)))))
    (cdr (assoc (completing-read "Tactic: " table nil t nil nil (caar choices))
                choices))))

(defun llemma-first-closing (suggestions)
  "The first of SUGGESTIONS that closes the goal, without asking."
  (or (seq-find (lambda (s) (equal (alist-get 'status s) "closes"))
                suggestions)
      (user-error "llemma: no suggestion closes the goal here")))

(defun llemma--insert (tactics)
  "Insert TACTICS at point, one a line, each at the column of the first."
  (unless (or (bolp) (memq (char-before) '(?\s ?\t)))
    (insert " "))
  (insert (mapconcat #'identity tactics
                     (concat "\n" (make-string (current-column) ?\s)))))

;;;###autoload
(defun llemma-suggest ()
  "Insert at point one of the server's tactics for the goal there.
Coq has run each one: those that fail are left out, and
`llemma-choose-function' picks among the others.  Returns the tactic."
  (interactive)
  (let* ((suggestions (alist-get 'suggestions (llemma--request nil)))
         (working (seq-remove (lambda (s) (equal (alist-get 'status s) "fails"))
                              suggestions)))
    (unless working
      (user-error "llemma: none of the server's %d suggestions works here"
                  (length suggestions)))
    (let ((tactic (alist-get 'tactic (funcall llemma-choose-function working))))
      (llemma--insert (list tactic))
      tactic)))

;;;###autoload
(defun llemma-prove ()
  "Insert at point the rest of the proof, found by the server and checked.
Returns the tactics inserted."
  (interactive)
  (let ((proof (alist-get 'proof (llemma--request t))))
    (unless proof
      (user-error "llemma: the server found no proof of the rest"))
    (llemma--insert proof)
    (message "llemma: inserted %d tactic%s"
             (length proof) (if (cdr proof) "s" ""))
    proof))

(provide 'llemma)
;;; llemma.el ends here
