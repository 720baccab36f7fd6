#!/usr/bin/perl
# acl_rights.t - the maildrop is looked up with the user's rights: without
# 't'/'e' on the INBOX DELE is "-ERR [SYS/PERM]" (RETR still works);
# without 'r' the login is "-ERR [SYS/PERM]"; a user without an INBOX gets
# "-ERR [SYS/PERM]" too and stays in AUTHORIZATION.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice', 'bob']);
Murder::POP3::append($n, 'alice', Murder::MsgIMAP::msg("Subject: a\n\nb\n"));
my $adm = Murder::MsgIMAP::client($n, 'admin');
my (undef, @l) = $adm->cmd('LIST "" ""');
my ($sep) = join('', @l) =~ /"(.)"/;
like(scalar $adm->cmd("SETACL user${sep}alice alice lrs"), qr/^\S+ OK/, 'alice: lrs');
like(scalar $adm->cmd("SETACL user${sep}bob bob ls"), qr/^\S+ OK/, 'bob: ls');

my $c = Murder::POP3->connect($n);
like($c->login('alice'), qr/^\+OK/, 'alice logs in with r');
my ($ok) = $c->multi('RETR 1');
like($ok, qr/^\+OK/, 'RETR works');
like($c->cmd('DELE 1'), qr/^-ERR \[SYS\/PERM\] /, 'DELE without t/e');

my $d = Murder::POP3->connect($n);
like($d->login('bob'), qr/^-ERR \[SYS\/PERM\] /, 'bob without r');
like($d->cmd('STAT'), qr/^-ERR /, 'stays in AUTHORIZATION');
my $e = Murder::POP3->connect($n);
like($e->login('proxy'), qr/^-ERR \[SYS\/PERM\] /, 'user without an INBOX');
$n->stop;
done_testing;
