#!/usr/bin/perl
# client_mbsync.t - a real synchronising client, mbsync (isync), against
# imapd: a first sync copies INBOX (with its flags) into a local Maildir;
# then a new local message and a local flag change are pushed back, and a
# server-side flag change comes down.  Every step is checked on the other
# side.  Skipped (with the reason) when mbsync is not installed.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;
use File::Path qw(make_path);

skip_unless_built(qw(master imapd));
my $mbsync = (grep { -x "$_/mbsync" } split(/:/, $ENV{PATH}))[0];
plan(skip_all => 'mbsync not installed (apt-get install isync)') unless $mbsync;
$mbsync .= '/mbsync';

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::MsgIMAP::client($n, 'alice');
for my $i (1 .. 3) {
    like(Murder::MsgIMAP::append($c, 'INBOX',
             Murder::MsgIMAP::msg("From: bob\@example.com\nSubject: note $i\n\nbody $i\n"),
             $i == 2 ? '\Flagged' : ()),
         qr/^\S+ OK/, "append $i");
}

my $dir = Murder::Instance::test_dir() . '/mbsync';
make_path("$dir/mail");
open(my $rc, '>', "$dir/mbsyncrc") or die "mbsyncrc: $!";
printf $rc <<'EOF', $n->address, $n->port('imap'), $Murder::RawIMAP::USERS{alice}, $dir, $dir, $dir;
IMAPAccount acct
Host %s
Port %d
User alice
Pass %s
SSLType None
AuthMechs LOGIN
Timeout 10

IMAPStore remote
Account acct

MaildirStore local
Path %s/mail/
Inbox %s/mail/INBOX

Channel chan
Far :remote:
Near :local:
Patterns INBOX
Create Near
Sync All
Expunge None
SyncState %s/state/
EOF
close($rc);
make_path("$dir/state");

# sync - run mbsync once; its exit status (output shown on failure)
sub sync {
    my $out = `timeout 30 '$mbsync' -c '$dir/mbsyncrc' -a 2>&1`;
    diag($out) if $?;
    return $? >> 8;
}
# local_msgs - { subject => maildir flags } of the local INBOX
sub local_msgs {
    my %m;
    for my $f (glob("$dir/mail/INBOX/cur/* $dir/mail/INBOX/new/*")) {
        open(my $fh, '<', $f) or next;
        my ($subj) = grep { /^Subject:/ } <$fh>;
        $subj =~ s/^Subject:\s*|\s+$//g if defined $subj;
        my ($flags) = $f =~ /:2,([A-Z]*)$/;
        $m{$subj // '?'} = { flags => $flags // '', path => $f };
    }
    return \%m;
}
# server_flags - { subject => FLAGS } of alice's INBOX on the server
sub server_flags {
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    my %f;
    for (@u) {
        my ($fl) = /FLAGS \(([^)]*)\)/ or next;
        my ($s) = /Subject:\s*([^\r\n]*)/ or next;
        $f{$s} = $fl;
    }
    return \%f;
}

is(sync(), 0, 'first sync');
my $m = local_msgs();
is_deeply([sort keys %$m], ['note 1', 'note 2', 'note 3'], 'three messages in the Maildir')
    or diag explain $m;
like($m->{'note 2'}{flags} // '', qr/F/, '\Flagged came down as F');
unlike($m->{'note 1'}{flags} // '', qr/S/, 'note 1 is unseen locally');

# push: a new local message and \Seen on note 1
my $new = "$dir/mail/INBOX/new/" . time() . ".$$.local";
open(my $fh, '>', $new) or die "$new: $!";
print $fh "From: alice\@example.com\nSubject: local 4\n\nwritten offline\n";
close($fh);
my $p1 = $m->{'note 1'}{path};
(my $p1s = $p1) =~ s{/new/}{/cur/};
$p1s =~ s/(:2,[A-Z]*)?$/:2,S/;
rename($p1, $p1s) or die "rename: $!";
is(sync(), 0, 'second sync');
Murder::MsgIMAP::cmd($c, 'SELECT INBOX');
my $f = server_flags();
is(scalar(keys %$f), 4, 'the server has four messages') or diag explain $f;
ok(exists $f->{'local 4'}, 'the local message was uploaded');
like($f->{'note 1'} // '', qr/\\Seen/, 'the local \Seen reached the server');
unlike($f->{'note 3'} // '', qr/\\Seen/, 'note 3 untouched');

# pull a server-side change
like(scalar Murder::MsgIMAP::cmd($c, 'STORE 3 +FLAGS (\Answered)'), qr/^\S+ OK/,
     'server: \Answered on note 3');
is(sync(), 0, 'third sync');
$m = local_msgs();
like($m->{'note 3'}{flags} // '', qr/R/, '\Answered came down as R');
is(scalar(keys %$m), 4, 'still four messages locally');
$n->stop;
done_testing;
