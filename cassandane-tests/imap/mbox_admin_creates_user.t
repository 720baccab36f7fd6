#!/usr/bin/perl
# mbox_admin_creates_user.t - an admin creates user INBOXes with CREATE
# user/NAME (standard namespace); the owner then sees INBOX, gets every
# right in the new ACL (Cyrus: lrswipkxtea), and a non-admin can create
# neither another user's INBOX nor a top-level shared mailbox.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $a = Murder::RawIMAP->connect($n);
like($a->login('admin', 'admin-pw'), qr/^t1 OK/, 'admin login');
like(scalar $a->cmd('CREATE user/alice'), qr/^t2 OK/, 'admin creates user/alice');
like(scalar $a->cmd('CREATE user/alice'), qr/^t3 NO \[ALREADYEXISTS\]/, 'twice: exists');
my ($ok, @u) = $a->cmd('GETACL user/alice');
like($ok, qr/^t4 OK/, 'GETACL ok');
is($u[0], '* ACL "user/alice" "alice" "lrswipkxtecda"', 'owner has every right');
like(scalar $a->cmd('CREATE shared'), qr/^t5 OK/, 'admin creates a shared top-level mailbox');
($ok, @u) = $a->cmd('GETACL shared');
is($u[0], '* ACL "shared" "anyone" "lrs"', 'defaultacl: anyone lrs');

my $c = Murder::RawIMAP->connect($n);
like($c->login('alice', 'alice-pw'), qr/^t1 OK/, 'alice login');
($ok, @u) = $c->cmd('LIST "" "INBOX"');
is_deeply(\@u, ['* LIST (\HasNoChildren) "/" "INBOX"'], 'alice sees her INBOX');
like(scalar $c->cmd('CREATE "Other Users/carol"'), qr/^t3 NO \[NOPERM\]/,
     'a user cannot create another user');
like(scalar $c->cmd('CREATE "Shared Folders/newtop"'), qr/^t4 NO \[NOPERM\]/,
     'a user cannot create a top-level shared mailbox');
like(scalar $c->cmd('CREATE Drafts'), qr/^t5 OK/, 'but a folder of her own');
($ok, @u) = $c->cmd('GETACL Drafts');
is($u[0], '* ACL "Drafts" "alice" "lrswipkxtecda"', 'a new folder copies its parent ACL');
$n->stop;
done_testing;
