;;; llemma-test.el --- ERT tests of llemma.el against a real server -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/editor/test_emacs.py, which starts `prove serve --env coq'
;; on a loopback port with a token, writes .v files whose lemma's proof is
;; a hole (`Proof.', an indented blank line, `Admitted.') and runs
;;
;;   emacs --batch -Q -L prover/editor/emacs -l llemma-test.el \
;;         -f ert-run-tests-batch-and-exit
;;
;; with LLEMMA_TEST_URL, LLEMMA_TEST_TOKEN and LLEMMA_TEST_DIR set.  The
;; commands fill the holes of suggest.v and prove.v and save; the pytest
;; side then checks with coqc that each compiles once `Admitted.' is
;; `Qed.'.  choose.v takes a tactic picked through `completing-read';
;; errors.v must come out unchanged.

;;; Code:

(require 'ert)
(require 'llemma)

(defmacro llemma-test--in-hole (file &rest body)
  "Visit FILE of LLEMMA_TEST_DIR with point in its hole, run BODY, save.
The server's address and token come from the environment, and
`llemma-suggest' takes the first closing suggestion without asking."
  (declare (indent 1))
  `(let ((llemma-server-url (getenv "LLEMMA_TEST_URL"))
         (llemma-token (getenv "LLEMMA_TEST_TOKEN"))
         (llemma-choose-function #'llemma-first-closing)
         (make-backup-files nil)
         (buffer (find-file-noselect
                  (expand-file-name ,file (getenv "LLEMMA_TEST_DIR")))))
     (unwind-protect
         (with-current-buffer buffer
           (goto-char (point-min))
           (re-search-forward "^Proof\\.\n")
           (end-of-line)
           (prog1 (progn ,@body) (save-buffer)))
       (kill-buffer buffer))))

(ert-deftest llemma-suggest-inserts-a-closing-tactic ()
  (llemma-test--in-hole "suggest.v"
    (let ((tactic (llemma-suggest)))
      (should (stringp tactic))
      (should (string-match-p (concat "^Proof\\.\n  " (regexp-quote tactic)
                                      "\nAdmitted\\.")
                              (buffer-string))))))

(ert-deftest llemma-prove-inserts-the-rest-of-the-proof ()
  (llemma-test--in-hole "prove.v"
    (let ((proof (llemma-prove)))
      (should (consp proof))
      (should (string-match-p
               (concat "^Proof\\.\n  "
                       (regexp-quote (mapconcat #'identity proof "\n  "))
                       "\nAdmitted\\.")
               (buffer-string))))))

(ert-deftest llemma-suggest-offers-the-working-tactics-marked ()
  (llemma-test--in-hole "choose.v"
    (let* ((offered nil)
           (llemma-choose-function #'llemma-read-suggestion)
           (completing-read-function
            (lambda (_prompt collection &rest _)
              (setq offered (all-completions "" collection))
              (car (last offered))))  ; the user picks the last one
           (tactic (llemma-suggest)))
      (should (string-match-p "    ✓ closes the goal$" (car offered)))
      (should (string-match-p "    leaves 1 goal$" (car (last offered))))
      (should (string-prefix-p (concat tactic "    ") (car (last offered))))
      (should (string-match-p (concat "^Proof\\.\n  " (regexp-quote tactic) "\n")
                              (buffer-string))))))

(ert-deftest llemma-reports-server-errors-in-one-line ()
  (llemma-test--in-hole "errors.v"
    (let ((before (buffer-string)))
      (let ((llemma-token "wrong"))
        (should (string-match-p
                 "^llemma: missing or wrong bearer token$"
                 (cadr (should-error (llemma-suggest) :type 'user-error)))))
      (goto-char (point-min))  ; outside any proof
      (should (string-match-p
               "^llemma: the cursor is not inside a proof$"
               (cadr (should-error (llemma-suggest) :type 'user-error))))
      (should (equal (buffer-string) before)))))

;;; llemma-test.el ends here
