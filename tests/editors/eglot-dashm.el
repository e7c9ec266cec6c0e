;; Headless check of the docs/editors.md eglot snippet: start dashm through eglot on the
;; example workspace, wait for its diagnostics, print them, then apply fix-all.
(require 'eglot)
(require 'python)
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((python-mode python-ts-mode) . ("python3" "-m" "dashm" "serve")))
  (setq-default eglot-workspace-configuration
                '(:dashm (:importStyle "absolute" :ignore []))))
(add-hook 'python-mode-hook #'eglot-ensure)

(defun wait-until (pred seconds)
  (let ((end (+ (float-time) seconds)))
    (while (and (not (funcall pred)) (< (float-time) end))
      (accept-process-output nil 0.1)
      (run-hooks 'post-command-hook)
      ;; Batch Emacs is never idle, so do what eglot's and flymake's idle timers would do.
      (when (eglot-managed-p) (eglot--signal-textDocument/didChange) (flymake-start)))
    (funcall pred)))

(find-file "inventory/cli.py")
(run-hooks 'post-command-hook)  ; eglot-ensure starts the server after the next command
(unless (wait-until #'eglot-managed-p 30) (error "eglot never managed the buffer"))
(unless (wait-until (lambda () (flymake-diagnostics)) 30) (error "no diagnostics"))
(dolist (d (flymake-diagnostics))
  (princ (format "%s:%d %s\n" (file-name-nondirectory (buffer-file-name))
                 (line-number-at-pos (flymake-diagnostic-beg d))
                 (flymake-diagnostic-text d))))
(eglot-code-actions (point-min) (point-max) "source.fixAll.dashm" t)
(unless (wait-until (lambda () (not (seq-some (lambda (d) (string-match-p "DM101" (flymake-diagnostic-text d)))
                                              (flymake-diagnostics)))) 30)
  (error "DM101 left after fix-all: %S" (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
(princ (format "after fix-all: %s\n" (buffer-substring-no-properties
                                      (point-min) (point-max))))
(kill-emacs 0)
